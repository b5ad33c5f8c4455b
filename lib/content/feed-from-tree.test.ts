import path from 'node:path';
import type { Root } from 'mdast';
import { describe, expect, it } from 'vitest';
import { renderArticleHtml } from '@/lib/mdx/render-html';
import { loadContent } from './load';

// The build renders each article's feed HTML from the tree the loader parsed (scripts/build-search-index.ts):
// it must be the HTML the body alone renders to, and leave the loader's tree as it was.
describe('feed HTML from the loader\'s tree', () => {
  const trees = new Map<string, Root>();
  const { articles } = loadContent({ includeDrafts: true, includeScheduled: true, onParsed: (article, tree) => trees.set(article.slug, tree) });

  it.each(articles.map((a) => [a.slug, a] as const))('%s: same HTML as from the body', (_slug, article) => {
    const articleFile = path.resolve(article.file);
    const tree = trees.get(article.slug)!;
    const before = JSON.stringify(tree);
    const fromBody = renderArticleHtml(article.body, 'https://example.com', { articleFile });
    expect(renderArticleHtml(article.body, 'https://example.com', { articleFile, tree })).toBe(fromBody);
    expect(JSON.stringify(tree)).toBe(before);
  });
});
