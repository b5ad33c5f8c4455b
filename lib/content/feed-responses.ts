import { gzipSync } from 'node:zlib';
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
 * A feed route's answer, prerendered at build: the feed as it is, or gzipped once (level 9, as it
 * runs once per build) for the twin next.config.ts rewrites gzip-taking requests to
 * (lib/content/feed-encoding.ts). The Content-Encoding header comes from next.config.ts.
 */
export function feedResponse(file: FeedFile, coding: 'identity' | 'gzip'): Response {
  const { contentType, serialise } = FEEDS[file];
  const text = serialise(getSiteFeed());
  const body = coding === 'gzip' ? new Uint8Array(gzipSync(Buffer.from(text, 'utf8'), { level: 9 })) : text;
  return new Response(body, { headers: { 'Content-Type': contentType } });
}
