/**
 * The prerendered home page and articles leave the build as files, identity and gzip, served the
 * way Next serves /_next/static: a reader's document request for `/` or `/articles/<slug>` never
 * reaches the page renderer, which for a 56 KB cached page hashed the whole body for an ETag,
 * converted it between string and bytes and (with gzip) compressed it on every request (bench/
 * RESULTS.md section 1). scripts/lib/prerendered-documents.mjs copies Next's own prerendered HTML
 * (.next/server/app/*.html) into .next/static/<DOCUMENTS_DIR>/ after the build, byte for byte, plus
 * a gzip (level 9) of each; next.config.ts rewrites (beforeFiles) and labels the answers here.
 *
 * Only real document requests: a client-side navigation or prefetch asks the same URL for its RSC
 * payload (the `rsc` / `next-router-*` headers, Next 16's `_rsc` query) and still goes to Next.
 * The answer keeps the page's own headers (below) and gets its ETag and 304s from the static file
 * server (size and mtime of the file: one per build). Not under `next dev`, which writes no files.
 * Free of Next imports: next.config.ts and the unit tests load it.
 */
import { ACCEPTS_GZIP_PATTERN } from './feed-encoding';

/** Folder under .next/static (so under /_next/static/) that holds the documents. */
export const DOCUMENTS_DIR = 'prerendered';
const URL_DIR = `/_next/static/${DOCUMENTS_DIR}`;

/**
 * The pages served from files: request path → file under DOCUMENTS_DIR (without .html). Only the
 * published slugs (lib/content/published-slugs.ts): any other article URL still reaches Next and
 * its not-found page (a rewrite to a file that is not there answers a bare 404).
 */
export function documentRoutes(slugs: readonly string[]) {
  return [{ source: '/', file: 'index' }, ...(slugs.length > 0 ? [{ source: `/articles/:slug(${slugs.join('|')})`, file: 'articles/:slug' }] : [])];
}

/** What Next's router sends to ask for an RSC payload instead of the document. */
const RSC_REQUEST = [
  { type: 'header' as const, key: 'rsc' },
  { type: 'header' as const, key: 'next-router-prefetch' },
  { type: 'header' as const, key: 'next-router-state-tree' },
  { type: 'header' as const, key: 'next-router-segment-prefetch' },
  { type: 'query' as const, key: '_rsc' },
];
const acceptsGzip = { type: 'header' as const, key: 'accept-encoding', value: ACCEPTS_GZIP_PATTERN };

/** The two answers per page: gzip when the client takes it, identity otherwise. */
const CODINGS = [
  { suffix: '.html.gz', has: [acceptsGzip], missing: RSC_REQUEST, extra: [{ key: 'Content-Encoding', value: 'gzip' }] },
  { suffix: '.html', has: undefined, missing: [...RSC_REQUEST, acceptsGzip], extra: [] },
];

/**
 * The headers Next sends with these pages' prerendered answers (.next/server/app/*.meta and
 * send-payload.js), which the static file server would not: compression still appends
 * `Accept-Encoding` to Vary, and a Cache-Control set here wins over /_next/static's immutable one.
 */
export const DOCUMENT_HEADERS = [
  { key: 'Content-Type', value: 'text/html; charset=utf-8' },
  { key: 'Cache-Control', value: 's-maxage=31536000' },
  { key: 'Vary', value: 'rsc, next-router-state-tree, next-router-prefetch, next-router-segment-prefetch' },
  { key: 'x-nextjs-cache', value: 'HIT' },
  { key: 'x-nextjs-prerender', value: '1' },
  { key: 'x-nextjs-stale-time', value: '300' },
];

const conditions = (c: (typeof CODINGS)[number]) => ({ ...(c.has ? { has: c.has } : {}), missing: c.missing });

/** next.config.ts `rewrites()`, beforeFiles (the pages are routes themselves). */
export function documentRewrites(slugs: readonly string[]) {
  return documentRoutes(slugs).flatMap((route) => CODINGS.map((c) => ({ source: route.source, destination: `${URL_DIR}/${route.file}${c.suffix}`, ...conditions(c) })));
}

/** next.config.ts `headers()`: header rules match the path as requested, under the rewrite's very condition. */
export function documentHeaders(slugs: readonly string[]) {
  return documentRoutes(slugs).flatMap((route) => CODINGS.map((c) => ({ source: route.source, ...conditions(c), headers: [...DOCUMENT_HEADERS, ...c.extra] })));
}
