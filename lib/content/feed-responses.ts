import type { SiteFeed } from './feeds';
import type { FeedFile } from './feed-encoding';
import { getSiteFeed } from './site-feed';

const FEEDS: Record<FeedFile, { contentType: string; serialise: (feed: SiteFeed) => string }> = {
  'rss.xml': { contentType: 'application/rss+xml; charset=utf-8', serialise: (feed) => feed.rss2() },
  'atom.xml': { contentType: 'application/atom+xml; charset=utf-8', serialise: (feed) => feed.atom1() },
  'feed.json': { contentType: 'application/feed+json; charset=utf-8', serialise: (feed) => feed.json1() },
};

export const isFeedFile = (file: string): file is FeedFile => Object.hasOwn(FEEDS, file);

/**
 * A feed route's answer, prerendered at build; served from a file (and its gzip) written after the
 * build (lib/content/document-encoding.ts), Next answers it only where no file is (next dev).
 */
export function feedResponse(file: FeedFile): Response {
  const { contentType, serialise } = FEEDS[file];
  return new Response(serialise(getSiteFeed()), { headers: { 'Content-Type': contentType } });
}
