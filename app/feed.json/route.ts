import { getSiteFeed } from '@/lib/content/site-feed';

export const dynamic = 'force-static';

export function GET() {
  return new Response(getSiteFeed().json1(), {
    headers: { 'Content-Type': 'application/feed+json; charset=utf-8' },
  });
}
