/**
 * Which requests take gzip, and the feeds by file name. The feeds leave the build as files, gzip
 * and identity (lib/content/document-encoding.ts, which routes them with the pages): a client that
 * takes gzip gets bytes gzipped once, at build, instead of Next's compression gzipping ~140 KB on
 * every request. Free of Next imports: next.config.ts and the unit tests load it.
 */

/** The feed routes, by file name (app/<file>/route.ts). */
export const FEED_FILES = ['rss.xml', 'atom.xml', 'feed.json'] as const;
export type FeedFile = (typeof FEED_FILES)[number];

/**
 * Accept-Encoding names gzip and does not refuse it with q=0 (RFC 9110 §12.5.3). Next anchors it
 * (^…$) and matches it case-sensitively; anything else (no header, "deflate", "GZIP", "*") gets
 * the identity answer, which every client accepts.
 */
export const ACCEPTS_GZIP_PATTERN = String.raw`(?!.*gzip\s*;\s*q\s*=\s*0(?:\.0*)?\s*(?:,|$)).*gzip.*`;
