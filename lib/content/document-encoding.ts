/**
 * The prerendered home page, articles and feeds leave the build as files, identity and gzip, served
 * the way Next serves /_next/static: a reader's request for `/`, `/articles/<slug>` or a feed never
 * reaches the renderer, which for a 56 KB cached page hashed the whole body for an ETag,
 * converted it between string and bytes and (with gzip) compressed it on every request (bench/
 * RESULTS.md section 1). scripts/prerendered-documents.mjs copies Next's own prerendered output
 * (.next/server/app/*.html, the feeds' *.body) into .next/static/<DOCUMENTS_DIR>/ after the build, byte for byte, plus
 * a gzip (level 9) of each; next.config.ts rewrites (beforeFiles) and labels the answers here.
 *
 * Only real document requests: a client-side navigation or prefetch asks the same URL for its RSC
 * payload (the `rsc` / `next-router-*` headers, Next 16's `_rsc` query) and still goes to Next.
 * The answer keeps the page's own headers (below) and gets its ETag and 304s from the static file
 * server (size and mtime of the file: one per build). Not under `next dev`, which writes no files.
 * Free of Next imports: next.config.ts and the unit tests load it.
 */
import { ACCEPTS_GZIP_PATTERN, FEED_FILES, type FeedFile } from './feed-encoding';

/** Folder under .next/static (so under /_next/static/) that holds the documents. */
export const DOCUMENTS_DIR = 'prerendered';
const URL_DIR = `/_next/static/${DOCUMENTS_DIR}`;

/** A feed's type, as its route answers (lib/content/feed-responses.ts). */
const FEED_TYPES: Record<FeedFile, string> = {
  'rss.xml': 'application/rss+xml; charset=utf-8',
  'atom.xml': 'application/atom+xml; charset=utf-8',
  'feed.json': 'application/feed+json; charset=utf-8',
};

/**
 * What is served from files: request path → file under DOCUMENTS_DIR, and its Content-Type. Only
 * the published slugs (lib/content/published-slugs.ts): any other article URL still reaches Next
 * and its not-found page (a rewrite to a file that is not there answers a bare 404). Pages also
 * answer RSC requests, which stay with Next; a feed is one document.
 */
export function documentRoutes(slugs: readonly string[]) {
  const page = (source: string, file: string) => ({ source, file: `${file}.html`, page: true, contentType: 'text/html; charset=utf-8' });
  return [
    page('/', 'index'),
    ...(slugs.length > 0 ? [page(`/articles/:slug(${slugs.join('|')})`, 'articles/:slug')] : []),
    ...FEED_FILES.map((file) => ({ source: `/${file}`, file, page: false, contentType: FEED_TYPES[file] })),
  ];
}
type Route = ReturnType<typeof documentRoutes>[number];

/** What Next's router sends to ask for an RSC payload instead of the document. */
const RSC_REQUEST = [
  { type: 'header' as const, key: 'rsc' },
  { type: 'header' as const, key: 'next-router-prefetch' },
  { type: 'header' as const, key: 'next-router-state-tree' },
  { type: 'header' as const, key: 'next-router-segment-prefetch' },
  { type: 'query' as const, key: '_rsc' },
];
const acceptsGzip = { type: 'header' as const, key: 'accept-encoding', value: ACCEPTS_GZIP_PATTERN };

/** The two answers per route: gzip when the client takes it, identity otherwise; never to an RSC request for a page. */
function codings(route: Route) {
  const rsc = route.page ? RSC_REQUEST : [];
  return [
    { suffix: '.gz', has: [acceptsGzip] as Condition[] | undefined, missing: rsc, extra: [{ key: 'Content-Encoding', value: 'gzip' }] },
    { suffix: '', has: undefined, missing: [...rsc, acceptsGzip], extra: [] },
  ];
}
type Condition = (typeof RSC_REQUEST)[number] | typeof acceptsGzip;

/**
 * The headers Next sends with these prerendered answers (.next/server/app/*.meta, send-payload.js),
 * which the static file server would not: compression still appends `Accept-Encoding` to Vary, and
 * a Cache-Control set here wins over /_next/static's immutable one.
 */
function routeHeaders(route: Route) {
  return [
    { key: 'Content-Type', value: route.contentType },
    { key: 'Cache-Control', value: 's-maxage=31536000' },
    { key: 'Vary', value: 'rsc, next-router-state-tree, next-router-prefetch, next-router-segment-prefetch' },
    { key: 'x-nextjs-cache', value: 'HIT' },
    ...(route.page ? [{ key: 'x-nextjs-prerender', value: '1' }, { key: 'x-nextjs-stale-time', value: '300' }] : []),
  ];
}

const conditions = (c: ReturnType<typeof codings>[number]) => ({ ...(c.has ? { has: c.has } : {}), missing: c.missing });

/** next.config.ts `rewrites()`, beforeFiles (the pages are routes themselves). */
export function documentRewrites(slugs: readonly string[]) {
  return documentRoutes(slugs).flatMap((route) => codings(route).map((c) => ({ source: route.source, destination: `${URL_DIR}/${route.file}${c.suffix}`, ...conditions(c) })));
}

/** next.config.ts `headers()`: header rules match the path as requested, under the rewrite's very condition. */
export function documentHeaders(slugs: readonly string[]) {
  return documentRoutes(slugs).flatMap((route) => codings(route).map((c) => ({ source: route.source, ...conditions(c), headers: [...routeHeaders(route), ...c.extra] })));
}
