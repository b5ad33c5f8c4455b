import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContent } from './load';
import { FEED_ITEMS, siteFeedOf } from './site-feed';

const { articles } = loadContent({ dir: path.resolve('test/fixtures/content/valid'), now: new Date('2026-03-15T12:00:00Z'), includeDrafts: false });

describe('the site feed', () => {
  it(`carries the newest ${FEED_ITEMS} articles, newest first, and renders no other body`, () => {
    // As many articles as a big site has: the fixture's, under new slugs, newest first.
    const many = Array.from({ length: FEED_ITEMS + 25 }, (_, i) => ({ ...articles[i % articles.length]!, slug: `article-${String(i).padStart(3, '0')}` }));
    const rendered = Object.fromEntries(many.map((a) => [a.slug, `<p>body of ${a.slug}</p>`]));
    const feed = JSON.parse(siteFeedOf(many, rendered).json1()) as { items: { url: string; content_html: string }[] };
    expect(feed.items).toHaveLength(FEED_ITEMS);
    expect(feed.items.map((item) => item.url.split('/').pop())).toEqual(many.slice(0, FEED_ITEMS).map((a) => a.slug));
    expect(feed.items.at(-1)!.content_html).toContain(`body of article-${String(FEED_ITEMS - 1).padStart(3, '0')}`);
  });
});
