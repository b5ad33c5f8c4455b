import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { absolutizeUrls, buildFeed } from './feeds';
import { loadContent } from './load';

const { articles } = loadContent({
  dir: path.resolve('test/fixtures/content/valid'),
  now: new Date('2026-03-15T12:00:00Z'),
  includeDrafts: false,
});
const siteUrl = 'https://example.com';

describe('buildFeed', () => {
  const feed = buildFeed(articles, { siteUrl });

  it('RSS 2.0: self link, absolute item links and guids, published pubDate, categories', () => {
    const rss = feed.rss2();
    expect(rss).toContain('<atom:link href="https://example.com/rss.xml" rel="self" type="application/rss+xml"/>');
    expect(rss).toContain('<link>https://example.com/articles/alpha</link>');
    expect(rss).toContain('<guid isPermaLink="false">https://example.com/articles/alpha</guid>');
    // alpha was published 2026-03-10 and updated 2026-03-12: RSS has one date, the publication
    expect(rss).toContain('<pubDate>Tue, 10 Mar 2026 00:00:00 GMT</pubDate>');
    expect(rss).toContain('<category domain="https://example.com/tags/consensus">consensus</category>');
    expect(rss).toContain('<author>Ada Example</author>');
    expect(rss.match(/<item>/g)).toHaveLength(3);
    // newest change in the feed, not the time of the build
    expect(rss).toContain('<lastBuildDate>Thu, 12 Mar 2026 00:00:00 GMT</lastBuildDate>');
  });

  it('without a renderer, content is the description and the takeaways as an escaped HTML list', () => {
    expect(feed.rss2()).toContain(
      '<content:encoded><![CDATA[<p>How replicas agree, with &#60;angle brackets&#62; &#38; ampersands in the description.</p>' +
        '<h2>Key takeaways</h2><ul><li>Quorums overlap, so a read sees the latest write.</li>' +
        '<li>Escape &#60;html&#62; &#38; friends in feeds.</li></ul>]]></content:encoded>',
    );
  });

  it('Atom 1.0: self link, updated from `updated`, published from `date`', () => {
    const atom = feed.atom1();
    expect(atom).toContain('<link rel="self" href="https://example.com/atom.xml"/>');
    expect(atom).toContain('<id>https://example.com/articles/alpha</id>');
    expect(atom).toContain('<updated>2026-03-12T00:00:00.000Z</updated>');
    expect(atom).toContain('<published>2026-03-10T00:00:00.000Z</published>');
    expect(atom).toContain('<title type="html"><![CDATA[Alpha: consensus in practice]]></title>');
  });

  it('JSON Feed 1: feed_url, ids, dates, tags, author', () => {
    const json: unknown = JSON.parse(feed.json1());
    expect(json).toMatchObject({
      title: 'Quorum',
      home_page_url: 'https://example.com/',
      feed_url: 'https://example.com/feed.json',
    });
    expect(json).toHaveProperty('items.0', expect.objectContaining({
      id: 'https://example.com/articles/alpha',
      url: 'https://example.com/articles/alpha',
      title: 'Alpha: consensus in practice',
      date_published: '2026-03-10T00:00:00.000Z',
      date_modified: '2026-03-12T00:00:00.000Z',
      tags: ['consensus', 'databases', 'reliability'],
      author: { name: 'Ada Example' },
    }));
  });

  it('uses the rendered HTML when given, with root-relative URLs made absolute', () => {
    const rendered = buildFeed(articles.slice(0, 1), {
      siteUrl,
      renderHtml: (article) => `<p><a href="/articles/beta">${article.slug}</a> <a href="//cdn.example/x">cdn</a></p>`,
    });
    const json: unknown = JSON.parse(rendered.json1());
    expect(json).toHaveProperty(
      'items.0.content_html',
      '<p><a href="https://example.com/articles/beta">alpha</a> <a href="//cdn.example/x">cdn</a></p>',
    );
    expect(json).toHaveProperty('items.0.summary', articles[0]?.description);
  });

  it('keeps a base path in the site URL', () => {
    const rss = buildFeed(articles.slice(0, 1), { siteUrl: 'https://example.com/blog' }).rss2();
    expect(rss).toContain('<link>https://example.com/blog/articles/alpha</link>');
    expect(absolutizeUrls('<img src="/a.png">', 'https://example.com/blog')).toBe('<img src="https://example.com/blog/a.png">');
  });
});

describe('buildFeed: a part of a series', () => {
  const series = loadContent({ dir: path.resolve('test/fixtures/content/series/valid'), now: new Date('2026-03-15T12:00:00Z'), includeDrafts: false });
  const feed = buildFeed(series.articles, { siteUrl });
  const line = '<p><em>Part 2 of 2 of the series <a href="https://example.com/series/consensus-in-practice">Consensus in practice</a>.</em></p>';

  it('RSS: a category for the series (domain: its page) and "Part 2 of 2" as the content\'s first line', () => {
    const rss = feed.rss2();
    expect(rss).toContain('<category domain="https://example.com/series/consensus-in-practice">Series: Consensus in practice</category>');
    expect(rss).toContain(`<content:encoded><![CDATA[${line}<p>`);
    // Part three is a draft: readers' feeds never count it.
    expect(rss).not.toContain('of 3');
  });

  it('Atom: the series as a category with its own scheme', () => {
    expect(feed.atom1()).toContain('<category label="Series: Consensus in practice" scheme="https://example.com/series/" term="consensus-in-practice"/>');
  });

  it('JSON Feed: the series among the tags, and the same first line', () => {
    const json = JSON.parse(feed.json1()) as { items: { id: string; tags: string[]; content_html: string }[] };
    const two = json.items.find((item) => item.id.endsWith('/articles/part-two'));
    expect(two?.tags).toEqual(['consensus', 'Series: Consensus in practice']);
    expect(two?.content_html.startsWith(line)).toBe(true);
    const standalone = json.items.find((item) => item.id.endsWith('/articles/standalone'));
    expect(standalone?.tags).toEqual(['consensus']);
    expect(standalone?.content_html.startsWith('<p>A minimal')).toBe(true);
  });
});
