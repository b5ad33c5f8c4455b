import { createHash } from 'node:crypto';
import type { Article } from '@/lib/content/types';
import { createIndexFile, type SearchIndexFile } from './engine';
import type { ArticleSection } from './sections';

/** Everything search needs, built once from the articles readers can see. */
export type SearchAssets = {
  /** Changes whenever the index or the texts do: part of every URL, so caches never mix builds. */
  version: string;
  index: SearchIndexFile;
  /** The index file as served to browsers. */
  indexJson: string;
  /** Each article's sections, for excerpts: in memory on the server, fetched per result by the browser. */
  texts: Record<string, ArticleSection[]>;
};

/**
 * `sectionsOf` reads an article's sections (lib/search/sections.ts), from the loader's tree when
 * the caller has it. Pass only articles readers can see: drafts and scheduled ones must never be
 * in a production index (scripts/build-search-index.ts loads with production visibility).
 */
export function buildSearchAssets(articles: readonly Article[], sectionsOf: (article: Article) => ArticleSection[]): SearchAssets {
  const texts: Record<string, ArticleSection[]> = {};
  const documents = articles.map((article) => {
    const sections = sectionsOf(article);
    texts[article.slug] = sections;
    return {
      slug: article.slug,
      title: article.title,
      headings: sections.flatMap((s) => (s.heading ? [s.heading] : [])).join('\n'),
      // The series' name counts as a tag: "safe writes" finds every part.
      tags: [...article.tags, article.series?.name ?? ''].join(' '),
      code: sections.map((s) => s.code).join(' '),
      text: sections.map((s) => s.text).join('\n'),
    };
  });
  const index = createIndexFile(documents);
  const indexJson = JSON.stringify(index);
  const version = createHash('sha256').update(indexJson).update('\n').update(JSON.stringify(texts)).digest('hex').slice(0, 16);
  return { version, index, indexJson, texts };
}
