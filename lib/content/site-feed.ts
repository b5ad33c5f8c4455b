import path from 'node:path';
import { renderArticleHtml } from '@/lib/mdx/render-html';
import { site } from '@/lib/site';
import { buildFeed } from './feeds';
import { getAllArticles } from './load';

/** The site's one feed, with each article's full HTML; the three feed routes serialise it. */
export function getSiteFeed() {
  return buildFeed(getAllArticles(), {
    siteUrl: site.url,
    renderHtml: (article) => renderArticleHtml(article.body, site.url, { articleFile: path.resolve(article.file) }),
  });
}
