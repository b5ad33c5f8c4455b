import { getSearchStore } from './store';

// Versioned URLs never change meaning, so browsers and CDNs may keep them for good.
const IMMUTABLE = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=31536000, immutable' };

function notFound(what: string): Response {
  return Response.json({ error: `${what}: not in this build's search index (reload the page)` }, { status: 404, headers: { 'cache-control': 'no-store' } });
}

/** GET /search-index/<version>: the index file, or 404 for another build's version. */
export function searchIndexResponse(version: string): Response {
  const store = getSearchStore();
  return version === store.version ? new Response(store.indexJson, { headers: IMMUTABLE }) : notFound(`version ${version}`);
}

/** GET /search-index/<version>/<slug>: one article's sections, for excerpts. */
export function searchTextResponse(version: string, slug: string): Response {
  const store = getSearchStore();
  const sections = version === store.version && Object.hasOwn(store.texts, slug) ? store.texts[slug] : undefined;
  return sections ? new Response(JSON.stringify(sections), { headers: IMMUTABLE }) : notFound(`article ${slug} in version ${version}`);
}
