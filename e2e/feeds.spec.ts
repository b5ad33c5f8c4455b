import { gunzipSync } from 'node:zlib';
import { type APIRequestContext, expect, type Page, test } from '@playwright/test';
import { httpRequest } from '../testing/http';
import { hiddenArticles, pathOf, publishedArticles, publishedTags } from './support/content';

/**
 * RSS, Atom, JSON Feed, sitemap and robots.txt: well-formed, and listing exactly the published
 * articles (not draft, dated today UTC or earlier), newest first, per content/*.mdx.
 */

const published = publishedArticles();
const hidden = hiddenArticles();

test.beforeAll(() => {
  // The content has both kinds, or the "absent" checks below would prove nothing.
  expect(published.length).toBeGreaterThan(1);
  expect(hidden.some((a) => a.draft)).toBe(true);
  expect(hidden.some((a) => !a.draft)).toBe(true);
});

async function fetchText(request: APIRequestContext, url: string, type: RegExp) {
  const response = await request.get(url);
  expect(response.status(), url).toBe(200);
  expect(response.headers()['content-type'], `${url} content-type`).toMatch(type);
  return response.text();
}

type Parsed = { error: string | null; root: string; items: { title: string; link: string; guid: string }[] };

/** Parses XML with the browser's DOMParser and pulls out the items of an RSS or Atom feed or a sitemap. */
async function parseXml(page: Page, xml: string): Promise<Parsed> {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'application/xml');
    const error = doc.getElementsByTagName('parsererror')[0];
    const child = (el: Element, name: string) => el.getElementsByTagName(name)[0];
    const root = doc.documentElement;
    const pick = (el: Element) => {
      if (root.localName === 'rss') {
        return {
          title: child(el, 'title')?.textContent ?? '',
          link: child(el, 'link')?.textContent ?? '',
          guid: child(el, 'guid')?.textContent ?? '',
        };
      }
      if (root.localName === 'feed') {
        return {
          title: child(el, 'title')?.textContent ?? '',
          link: child(el, 'link')?.getAttribute('href') ?? '',
          guid: child(el, 'id')?.textContent ?? '',
        };
      }
      const loc = child(el, 'loc')?.textContent ?? '';
      return { title: '', link: loc, guid: loc };
    };
    const itemTag = root.localName === 'rss' ? 'item' : root.localName === 'feed' ? 'entry' : 'url';
    return {
      error: error ? (error.textContent ?? 'parsererror') : null,
      root: root.localName,
      items: [...doc.getElementsByTagName(itemTag)].map(pick),
    };
  }, xml);
}

function expectNoHiddenArticle(text: string) {
  for (const a of hidden) {
    expect(text, `${a.slug} (${a.draft ? 'draft' : `scheduled ${a.date}`})`).not.toContain(`/articles/${a.slug}`);
    expect(text, a.slug).not.toContain(a.title);
  }
}

test.beforeEach(async ({ page }) => {
  // DOMParser needs a document; any page of the site will do.
  await page.goto('/robots.txt');
});

test('/rss.xml is RSS 2.0 listing every published article, newest first, and nothing else', async ({ page, request }) => {
  const xml = await fetchText(request, '/rss.xml', /^application\/rss\+xml/);
  const feed = await parseXml(page, xml);
  expect(feed.error).toBeNull();
  expect(feed.root).toBe('rss');
  expect(feed.items.map((i) => i.title)).toEqual(published.map((a) => a.title));
  expect(feed.items.map((i) => pathOf(i.link))).toEqual(published.map((a) => `/articles/${a.slug}`));
  expect(feed.items.map((i) => pathOf(i.guid))).toEqual(published.map((a) => `/articles/${a.slug}`));
  for (const item of feed.items) expect(item.link).toMatch(/^https?:\/\//);
  expectNoHiddenArticle(xml);
});

test('/atom.xml is Atom listing every published article and nothing else', async ({ page, request }) => {
  const xml = await fetchText(request, '/atom.xml', /^application\/atom\+xml/);
  const feed = await parseXml(page, xml);
  expect(feed.error).toBeNull();
  expect(feed.root).toBe('feed');
  expect(feed.items.map((i) => i.title)).toEqual(published.map((a) => a.title));
  expect(feed.items.map((i) => pathOf(i.link))).toEqual(published.map((a) => `/articles/${a.slug}`));
  expect(feed.items.every((i) => i.guid.length > 0)).toBe(true);
  expectNoHiddenArticle(xml);
});

test('/feed.json is a JSON Feed listing every published article and nothing else', async ({ page, request }) => {
  const text = await fetchText(request, '/feed.json', /^application\/(feed\+)?json/);
  // Parse in the page as well, like a browser-based reader would.
  const feed = (await page.evaluate((t) => JSON.parse(t), text)) as {
    version: string;
    title: string;
    items: { id: string; url: string; title: string }[];
  };
  expect(feed.version).toMatch(/^https:\/\/jsonfeed\.org\/version\/1/);
  expect(feed.items.map((i) => i.title)).toEqual(published.map((a) => a.title));
  expect(feed.items.map((i) => pathOf(i.url))).toEqual(published.map((a) => `/articles/${a.slug}`));
  expect(feed.items.map((i) => pathOf(i.id))).toEqual(published.map((a) => `/articles/${a.slug}`));
  expectNoHiddenArticle(text);
});

test('/sitemap.xml lists the published articles and tags, not the draft or the scheduled one', async ({ page, request }) => {
  const xml = await fetchText(request, '/sitemap.xml', /xml/);
  const sitemap = await parseXml(page, xml);
  expect(sitemap.error).toBeNull();
  expect(sitemap.root).toBe('urlset');
  const paths = sitemap.items.map((i) => pathOf(i.link));
  expect(paths).toContain('/');
  expect(paths.filter((p) => p.startsWith('/articles/')).sort()).toEqual(published.map((a) => `/articles/${a.slug}`).sort());
  expect(paths.filter((p) => p.startsWith('/tags/')).sort()).toEqual(publishedTags().map((t) => `/tags/${t}`).sort());
  expectNoHiddenArticle(xml);
});

test('robots.txt points at the sitemap', async ({ request }) => {
  const text = await fetchText(request, '/robots.txt', /^text\/plain/);
  const sitemap = /^Sitemap:\s*(\S+)\s*$/im.exec(text)?.[1];
  expect(sitemap, text).toBeDefined();
  expect(sitemap).toMatch(/^https?:\/\//);
  expect(pathOf(sitemap as string)).toBe('/sitemap.xml');
  expect(text).toMatch(/^User-Agent:\s*\*/im);
  expect(text).not.toMatch(/^Disallow:\s*\/\s*$/im);
});

// Raw bytes (no client decoding), to see what the server sent: the feeds are gzipped at build
// and picked by Accept-Encoding (lib/content/feed-encoding.ts), not compressed per request.
test.describe('the feeds in each content coding', () => {
  for (const file of ['/rss.xml', '/atom.xml', '/feed.json']) {
    test(`${file}: gzip decodes to the identity answer, both say Vary: Accept-Encoding, q=0 and HEAD are honoured`, async ({ baseURL }) => {
      const get = (headers: Record<string, string>, method = 'GET') => httpRequest(`${baseURL}${file}`, { method, headers, timeoutMs: 30_000 });
      const identity = await get({});
      const gzip = await get({ 'accept-encoding': 'gzip, deflate, br, zstd' });
      for (const answer of [identity, gzip]) {
        expect(answer.status).toBe(200);
        expect(String(answer.headers.vary)).toMatch(/(^|,\s*)Accept-Encoding(,|$)/i);
        expect(answer.headers['content-type']).toBe(identity.headers['content-type']);
        expect(answer.headers['cache-control']).toBe(identity.headers['cache-control']);
      }
      expect(identity.headers['content-encoding']).toBeUndefined();
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gzip.bytes).equals(identity.bytes), 'the gzip answer is not the identity answer compressed').toBe(true);
      expect(gzip.bytes.length).toBeLessThan(identity.bytes.length / 2);

      const refused = await get({ 'accept-encoding': 'gzip;q=0' });
      expect(refused.headers['content-encoding']).toBeUndefined();
      expect(refused.bytes.equals(identity.bytes)).toBe(true);
      // With another coding on offer, Next's compression may use it (deflate): never the gzip bytes.
      const deflate = await get({ 'accept-encoding': 'gzip;q=0, deflate' });
      expect(deflate.headers['content-encoding']).not.toBe('gzip');

      const head = await get({ 'accept-encoding': 'gzip' }, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.headers['content-encoding']).toBe('gzip');
      expect(String(head.headers.vary)).toMatch(/Accept-Encoding/i);
      expect(head.bytes.length).toBe(0);
    });
  }
});
