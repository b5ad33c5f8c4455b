import { notFound } from 'next/navigation';
import { FEED_FILES } from '@/lib/content/feed-encoding';
import { feedResponse, isFeedFile } from '@/lib/content/feed-responses';

// Each feed gzipped once, at build: next.config.ts rewrites /rss.xml (and the others) here when
// the request takes gzip, and labels the answer Content-Encoding: gzip (lib/content/feed-encoding.ts).
export const dynamic = 'force-static';
export const dynamicParams = false;

export function generateStaticParams() {
  return FEED_FILES.map((file) => ({ file }));
}

export async function GET(_request: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  if (!isFeedFile(file)) notFound();
  return feedResponse(file, 'gzip');
}
