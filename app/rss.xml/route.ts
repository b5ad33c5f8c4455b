import { feedResponse } from '@/lib/content/feed-responses';

// Built once at build time, like the article pages it lists, then served from a file, identity
// or gzip (lib/content/document-encoding.ts).
export const dynamic = 'force-static';

export function GET() {
  return feedResponse('rss.xml');
}
