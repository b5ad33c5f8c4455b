/**
 * tsx scripts/build-search-index.ts <distDir>
 * Writes the search index into <distDir>/search-index/ (lib/search/files.ts). next.config.ts runs
 * it after compiling and before prerendering, so every `next build` ships an index of exactly the
 * articles it publishes: production visibility, whatever NODE_ENV says (no draft, nothing dated
 * after today). Content problems stop it with the loader's file:line messages, as the build would.
 * The same one load also leaves the content snapshot (lib/content/snapshot.ts): the checked
 * articles and each one's feed HTML, so the prerender workers neither parse nor render them again.
 */
import path from 'node:path';
import { ContentError } from '../lib/content/errors';
import { articleFeedHtml, FEED_ITEMS } from '../lib/content/site-feed';
import { contentLibraryKey, defaultContentDir, loadContent } from '../lib/content/load';
import { contentSignature, writeContentSnapshot } from '../lib/content/snapshot';
import { site } from '../lib/site';
import { buildSearchAssets } from '../lib/search/build';
import { writeSearchAssets } from '../lib/search/files';
import { articleSections, type ArticleSection } from '../lib/search/sections';

const distDir = process.argv[2];
if (!distDir) {
  console.error('usage: tsx scripts/build-search-index.ts <distDir>');
  process.exit(2);
}

try {
  const started = performance.now();
  const sections = new Map<string, ArticleSection[]>();
  const feedHtml: Record<string, string> = {};
  // The loader hands over each body's tree as it parses it, so search does not parse it again.
  const signature = contentSignature(defaultContentDir());
  const mode = { includeDrafts: false, includeScheduled: false };
  const library = loadContent({ ...mode, onParsed: (article, tree) => sections.set(article.slug, articleSections(article, tree)) });
  // The feeds carry only the newest FEED_ITEMS (lib/content/site-feed.ts): render those, once, for all three.
  for (const article of library.articles.slice(0, FEED_ITEMS)) feedHtml[article.slug] = articleFeedHtml(article);
  const { articles } = library;
  const assets = buildSearchAssets(articles, (article) => sections.get(article.slug) ?? articleSections(article));
  const dir = writeSearchAssets(path.resolve(distDir), assets);
  writeContentSnapshot(path.resolve(distDir), { key: contentLibraryKey(mode), signature, library, siteUrl: site.url, feedHtml });
  const ms = Math.round(performance.now() - started);
  console.log(`search index ${assets.version}: ${articles.length} articles, ${assets.indexJson.length} bytes, in ${ms} ms (${path.relative(process.cwd(), dir)})`);
} catch (error) {
  if (error instanceof ContentError) {
    for (const line of error.lines) console.error(line);
  } else {
    console.error(error);
  }
  process.exit(1);
}
