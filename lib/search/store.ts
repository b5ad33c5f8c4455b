import path from 'node:path';
import { getAllArticles } from '@/lib/content/load';
import { env } from '@/lib/env';
import { paths } from '@/lib/site';
import type { Article } from '@/lib/content/types';
import { buildSearchAssets, type SearchAssets } from './build';
import { loadIndexFile, normalizeQuery, rankArticles, type SearchEngine } from './engine';
import { RESULTS_PER_PAGE, type SearchHit, toHits } from './excerpt';
import { readSearchAssets, readSearchVersion } from './files';
import { articleSections } from './sections';

/**
 * The server's search: in production, the index `next build` wrote (read once per process and
 * kept); in development, built from the articles the editor sees (drafts too, as on every other
 * page), again whenever a file changes.
 */
type Store = SearchAssets & { engine: SearchEngine };

const distDir = () => path.join(process.cwd(), '.next');
let built: Store | undefined;
let builtVersion: string | undefined;
const previews = new WeakMap<readonly Article[], Store>();

function withEngine(assets: SearchAssets): Store {
  return { ...assets, engine: loadIndexFile(assets.index) };
}

export function getSearchStore(): Store {
  if (env.NODE_ENV === 'production') {
    built ??= withEngine(readSearchAssets(distDir()));
    return built;
  }
  // getAllArticles returns the same array until a file changes (lib/content/load.ts).
  const articles = getAllArticles();
  let store = previews.get(articles);
  if (store === undefined) {
    store = withEngine(buildSearchAssets(articles, (article) => articleSections(article)));
    previews.set(articles, store);
  }
  return store;
}

/** The index's version, for its URL in the header (a page render reads only the small manifest). */
export function getSearchVersion(): string {
  if (env.NODE_ENV === 'production') {
    builtVersion ??= built?.version ?? readSearchVersion(distDir());
    return builtVersion;
  }
  return getSearchStore().version;
}

export type SiteSearch = { query: string; total: number; hits: SearchHit[] };

/** /search?q=: the ranked articles with excerpts, the first RESULTS_PER_PAGE of them. */
export function searchSite(query: string): SiteSearch {
  const store = getSearchStore();
  const ranked = rankArticles(store.engine, query);
  return {
    query: normalizeQuery(query),
    total: ranked.length,
    hits: toHits(ranked, { sectionsOf: (slug) => store.texts[slug], hrefOf: paths.article, limit: RESULTS_PER_PAGE }),
  };
}
