import { feedResponse } from '@/lib/content/feed-responses';

// Built once at build time, like the article pages it lists. A request that takes gzip is
// rewritten to the gzip twin, app/feeds/gzip/[file] (lib/content/feed-encoding.ts).
export const dynamic = 'force-static';

export function GET() {
  return feedResponse('atom.xml', 'identity');
}
