import path from 'node:path';
import type { Root } from 'mdast';
import { env } from '@/lib/env';
import { renderArticleHtml } from '@/lib/mdx/render-html';
import { processSingleton } from '@/lib/process-singleton';
import { site } from '@/lib/site';
import { buildFeed, type SiteFeed } from './feeds';
import { defaultContentDir, getAllArticles } from './load';
import { buildDir, contentSignature, readSnapshotFeedHtml } from './snapshot';
import type { Article } from './types';

/**
 * The newest articles a feed carries. Readers poll the feeds, and every item holds the article's
 * full HTML: with all of them, 1,000 articles made each feed about 10 MB and cost every build a
 * render of every body. Fifty is more than any reader keeps unread; the archive has the rest.
 */
export const FEED_ITEMS = 50;

/** The site's one feed (the newest FEED_ITEMS articles), each with its full HTML; the three feed routes serialise it. */
export function getSiteFeed(): SiteFeed {
  const articles = getAllArticles();
  if (env.NODE_ENV !== 'production') return siteFeedOf(articles);
  // Production loads the content once per process (lib/content/load.ts), so the same list means
  // the same feed: /rss.xml, /atom.xml and /feed.json render every article's HTML once between them.
  // And the build rendered each article's feed HTML once already, before prerendering (lib/content/snapshot.ts).
  const feeds = processSingleton('site-feed', () => new WeakMap<readonly Article[], SiteFeed>());
  let feed = feeds.get(articles);
  if (feed === undefined) {
    feed = siteFeedOf(articles, readSnapshotFeedHtml(buildDir(), contentSignature(defaultContentDir()), site.url));
    feeds.set(articles, feed);
  }
  return feed;
}

/** An article's HTML in the feeds (what the build's snapshot holds, for the same bytes and site URL). */
export function articleFeedHtml(article: Article, tree?: Root): string {
  return renderArticleHtml(article.body, site.url, { articleFile: path.resolve(article.file), tree });
}

/** The feed of `articles` (visible, newest first): its newest FEED_ITEMS, `rendered` HTML where given. */
export function siteFeedOf(articles: readonly Article[], rendered: Record<string, string> = {}): SiteFeed {
  return buildFeed(articles.slice(0, FEED_ITEMS), { siteUrl: site.url, renderHtml: (article) => rendered[article.slug] ?? articleFeedHtml(article) });
}
