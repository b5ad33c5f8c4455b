import { getSiteFeed } from '@/lib/content/site-feed';

export const dynamic = 'force-static';

export function GET() {
  return new Response(getSiteFeed().atom1(), {
    headers: { 'Content-Type': 'application/atom+xml; charset=utf-8' },
  });
}
