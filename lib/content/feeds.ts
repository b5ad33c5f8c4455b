import { Feed } from 'feed';
import { absoluteUrl, paths, site } from '@/lib/site';
import { collectSeries, placeInSeries } from './series';
import type { Article } from './types';

export type FeedOptions = {
  /** Base for every absolute URL in the feed. Default: the site's SITE_URL. */
  siteUrl?: string;
  /** The article's full HTML. Without it, items carry the description and takeaways. */
  renderHtml?: (article: Article) => string;
};

/** What the feed routes serialise: /rss.xml, /atom.xml and /feed.json. */
export type SiteFeed = Pick<Feed, 'rss2' | 'atom1' | 'json1'>;

/**
 * One feed over `articles` (pass the visible ones, newest first), in RSS 2.0, Atom 1.0 and
 * JSON Feed 1.0. Every URL is absolute: feed readers resolve nothing against the site.
 */
export function buildFeed(articles: readonly Article[], { siteUrl = site.url, renderHtml }: FeedOptions = {}): SiteFeed {
  const url = (path: string) => absoluteUrl(path, siteUrl);
  const home = url(paths.home);

  const feed = new Feed({
    id: home,
    link: home,
    title: site.name,
    description: site.description,
    language: site.language,
    copyright: `© ${site.name}`,
    // The newest change in the feed, not "now", so an unchanged site serves an unchanged feed.
    updated: articles.length > 0 ? new Date(Math.max(...articles.map((a) => lastModified(a).getTime()))) : undefined,
    generator: site.name,
    feedLinks: { rss: url(paths.rss), atom: url(paths.atom), json: url(paths.jsonFeed) },
    author: { name: site.defaultAuthor, link: home },
  });

  const series = collectSeries(articles);
  for (const article of articles) {
    const link = url(paths.article(article.slug));
    // A part of a series says so twice: as a category (RSS <category domain>, Atom <category
    // scheme term label>, JSON Feed tags) and as the content's first line, "Part 2 of 4 of …".
    const placement = placeInSeries(article, series);
    const seriesUrl = placement ? url(paths.series(placement.series.slug)) : '';
    const seriesLine = placement
      ? `<p><em>Part ${placement.part} of ${placement.total} of the series <a href="${escapeHtml(seriesUrl)}">${escapeHtml(placement.series.name)}</a>.</em></p>`
      : '';
    feed.addItem({
      title: article.title,
      id: link,
      guid: link,
      link,
      description: article.description,
      content: seriesLine + (renderHtml ? absolutizeUrls(renderHtml(article), siteUrl) : summaryHtml(article)),
      // `date` is the item's last change (Atom <updated>, JSON date_modified); `published` is
      // the first publication (Atom <published>, RSS <pubDate>, JSON date_published).
      date: lastModified(article),
      published: day(article.date),
      author: [{ name: article.author }],
      category: [
        ...article.tags.map((tag) => ({ name: tag, term: tag, domain: url(paths.tag(tag)) })),
        ...(placement
          ? [{ name: `Series: ${placement.series.name}`, term: placement.series.slug, domain: seriesUrl, scheme: url(paths.series('')) }]
          : []),
      ],
    });
  }
  return feed;
}

function day(isoDay: string): Date {
  return new Date(`${isoDay}T00:00:00Z`);
}

function lastModified(article: Pick<Article, 'date' | 'updated'>): Date {
  return day(article.updated ?? article.date);
}

/** Without the rendered body: the description, then the takeaways as a list. */
export function summaryHtml(article: Pick<Article, 'description' | 'takeaways'>): string {
  const items = article.takeaways.map((takeaway) => `<li>${escapeHtml(takeaway)}</li>`).join('');
  return `<p>${escapeHtml(article.description)}</p><h2>Key takeaways</h2><ul>${items}</ul>`;
}

/** Root-relative href/src (`/articles/x`) made absolute; protocol-relative `//host` left alone. */
export function absolutizeUrls(html: string, siteUrl: string): string {
  return html.replace(/\b(href|src)=(["'])\/(?!\/)/g, (_match, attribute: string, quote: string) => `${attribute}=${quote}${absoluteUrl('/', siteUrl)}`);
}

// Five characters, one regex: smaller than a dependency, and the only escaping this module needs.
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
