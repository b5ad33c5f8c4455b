/**
 * Full-text search over the published articles, with MiniSearch (https://lucaong.github.io/minisearch/).
 * Why MiniSearch: it is maintained, has no dependencies, runs the same in Node and in the browser
 * (so /search without JavaScript and the header box rank identically, from one index file), and
 * has prefix search, typo tolerance (fuzzy, by edit distance), per-field boosts and BM25 ranking
 * built in. Pagefind would need a second engine for the server; FlexSearch and Orama lack a
 * stable serialised form of this size. This module is the only place its options are spelled.
 *
 * One document per article: one per section would find the section directly, but for 1,000
 * articles its index was 2.2 MB gzip against 0.8 MB (measured while choosing, on the bench's mixed
 * corpus). The section a match is in comes from the article's text instead, which the server keeps
 * in memory and the browser fetches per result shown (lib/search/excerpt.ts).
 */
import MiniSearch, { type AsPlainObject, type SearchResult } from 'minisearch';
import { type PackedIndex, packIndex, unpackIndex } from './packed';
import { processTerm, termsOf, tokenize } from './terms';

/** Bump when the file's shape or the term processing changes: old files are then refused. */
export const INDEX_FORMAT = 2;

export type SearchDocument = { id: number; title: string; headings: string; tags: string; code: string; text: string };

/** The index as one JSON file: what the build writes and both the server and the browser load. */
export type SearchIndexFile = {
  format: typeof INDEX_FORMAT;
  /** [slug, title] per document; the document id is the position. */
  articles: [slug: string, title: string][];
  /** MiniSearch's index, packed for the download (lib/search/packed.ts). */
  index: PackedIndex;
};

const FIELDS = ['title', 'headings', 'tags', 'code', 'text'] as const;
export type SearchField = (typeof FIELDS)[number];

const OPTIONS = {
  fields: [...FIELDS],
  tokenize,
  processTerm,
  // The query is processed like the text; these apply to every search.
  searchOptions: {
    // Title and heading matches first (ranked below too), then tags and code identifiers.
    boost: { title: 6, headings: 3, tags: 2, code: 1.5, text: 1 },
    // "parti" finds partition; one-letter and two-letter words only match exactly, except the
    // word being typed (the last one), so as-you-type results appear from the second letter.
    prefix: (term: string, index: number, terms: string[]) => term.length >= 3 || (index === terms.length - 1 && term.length >= 2),
    // One typo in words of 4 to 7 letters, two from 8 ("consistancy", "idempotnecy"). Whole numbers are
    // edit distances; a fraction would round up (0.25 × 6 letters = 2 typos, so "partit" found "part").
    fuzzy: (term: string) => (term.length >= 8 ? 2 : term.length >= 4 ? 1 : false),
    maxFuzzy: 2,
  },
};

export type SearchEngine = { search: MiniSearch<SearchDocument>; articles: SearchIndexFile['articles'] };

export function createIndexFile(documents: readonly (Omit<SearchDocument, 'id'> & { slug: string })[]): SearchIndexFile {
  const search = new MiniSearch<SearchDocument>(OPTIONS);
  search.addAll(documents.map(({ slug: _slug, ...doc }, id) => ({ id, ...doc })));
  return { format: INDEX_FORMAT, articles: documents.map((d) => [d.slug, d.title]), index: packIndex(search.toJSON() as AsPlainObject) };
}

export function loadIndexFile(file: SearchIndexFile): SearchEngine {
  if (file.format !== INDEX_FORMAT) throw new Error(`search index format ${String(file.format)}, expected ${INDEX_FORMAT}: rebuild it`);
  return { search: MiniSearch.loadJS<SearchDocument>(unpackIndex(file.index), OPTIONS), articles: file.articles };
}

/** The longest query read; the rest is ignored (a pasted paragraph should not cost seconds). */
export const MAX_QUERY_LENGTH = 100;

export type RankedArticle = {
  slug: string;
  title: string;
  score: number;
  /** The article's own terms that matched (after prefix and typo expansion): what to highlight. */
  terms: string[];
  /** Which fields matched, by exact or prefix match of a query term (typo matches don't count for the rank). */
  inTitle: boolean;
  inHeadings: boolean;
};

/**
 * The articles matching `query`, best first. Every word must match somewhere in the article (when
 * no article has them all, those with some are shown instead); articles whose title matches come
 * first, then those whose headings do, each group by BM25 score with the field boosts.
 */
export function rankArticles(engine: SearchEngine, query: string): RankedArticle[] {
  const text = normalizeQuery(query);
  const words = tokenize(text).flatMap(termsOf);
  if (words.length === 0) return [];
  let results = engine.search.search(text, { combineWith: 'AND' });
  if (results.length === 0) results = engine.search.search(text, { combineWith: 'OR' });
  return results
    .map((result) => ranked(engine, result, words))
    .sort((a, b) => tier(a) - tier(b) || b.score - a.score || a.slug.localeCompare(b.slug));
}

export function normalizeQuery(query: string): string {
  return query.slice(0, MAX_QUERY_LENGTH).replace(/\s+/g, ' ').trim();
}

function ranked(engine: SearchEngine, result: SearchResult, words: string[]): RankedArticle {
  const [slug, title] = engine.articles[result.id as number] ?? ['', ''];
  const direct = (fieldName: SearchField) =>
    Object.entries(result.match).some(([term, fields]) => fields.includes(fieldName) && words.some((word) => term.startsWith(word)));
  return { slug, title, score: result.score, terms: result.terms, inTitle: direct('title'), inHeadings: direct('headings') };
}

function tier(article: RankedArticle): number {
  return article.inTitle ? 0 : article.inHeadings ? 1 : 2;
}
