import { getSiteFeed } from '@/lib/content/site-feed';

// Built once at build time, like the article pages it lists.
export const dynamic = 'force-static';

export function GET() {
  return new Response(getSiteFeed().rss2(), {
    headers: { 'Content-Type': 'application/rss+xml; charset=utf-8' },
  });
}
