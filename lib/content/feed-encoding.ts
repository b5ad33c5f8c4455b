/**
 * The feeds leave the build compressed: a client that takes gzip gets bytes gzipped once, at build,
 * instead of Next's compression gzipping ~140 KB on every request (139 requests/s against 850
 * without Accept-Encoding, bench/RESULTS.md section 1). Next drops Content-Encoding from a route
 * handler's Response (next/dist/server/send-response.js, FORBIDDEN_HEADERS), so the choice is made
 * in next.config.ts, before any route runs: a rewrite sends /rss.xml to its prerendered gzip twin
 * (app/feeds/gzip/[file]/route.ts) and a header rule with the very same condition labels the
 * answer `Content-Encoding: gzip`; Next's compression leaves an answer that already has one alone
 * (next/dist/compiled/compression: "already encoded") and still adds `Vary: Accept-Encoding`.
 * Free of Next imports: next.config.ts and the unit tests load it.
 */

/** The feed routes, by file name (app/<file>/route.ts). */
export const FEED_FILES = ['rss.xml', 'atom.xml', 'feed.json'] as const;
export type FeedFile = (typeof FEED_FILES)[number];

/** Where a feed's gzip bytes are served (the rewrite's destination). */
export const gzipFeedPath = (file: FeedFile) => `/feeds/gzip/${file}`;

/**
 * Accept-Encoding names gzip and does not refuse it with q=0 (RFC 9110 §12.5.3). Next anchors it
 * (^…$) and matches it case-sensitively; anything else (no header, "deflate", "GZIP", "*") gets
 * the identity answer, which every client accepts.
 */
export const ACCEPTS_GZIP_PATTERN = String.raw`(?!.*gzip\s*;\s*q\s*=\s*0(?:\.0*)?\s*(?:,|$)).*gzip.*`;

const acceptsGzip = [{ type: 'header' as const, key: 'accept-encoding', value: ACCEPTS_GZIP_PATTERN }];
const gzipped = [{ key: 'Content-Encoding', value: 'gzip' }];

/** next.config.ts `rewrites()`, beforeFiles (the feeds are routes themselves): a feed request that takes gzip is answered by its gzip twin. */
export function feedRewrites() {
  return FEED_FILES.map((file) => ({ source: `/${file}`, has: acceptsGzip, destination: gzipFeedPath(file) }));
}

/**
 * next.config.ts `headers()`: header rules match the path as requested, so the feed URL under
 * the rewrite's condition, and the twin's own URL should anyone ask for it directly.
 */
export function feedHeaders() {
  return FEED_FILES.flatMap((file) => [
    { source: `/${file}`, has: acceptsGzip, headers: gzipped },
    { source: gzipFeedPath(file), headers: gzipped },
  ]);
}
