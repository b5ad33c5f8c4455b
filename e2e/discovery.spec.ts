import { expect, type Locator, test } from '@playwright/test';
import { type ContentArticle, formatDay, publishedArticles, publishedTags } from './support/content';

/** How readers find articles: home page, tag pages, archive, 404 page, share images. */

const published = publishedArticles();

/** An article card shows title (linked), description, date, reading time and tags. */
async function expectCard(card: Locator, a: ContentArticle) {
  const title = card.getByRole('heading').getByRole('link');
  await expect(title).toHaveText(a.title);
  await expect(title).toHaveAttribute('href', `/articles/${a.slug}`);
  await expect(card.getByText(a.description, { exact: true })).toBeVisible();
  await expect(card.locator(`time[datetime="${a.date}"]`)).toHaveText(formatDay(a.date));
  await expect(card).toContainText(/\d+ min read/);
  const tags = card.getByRole('list', { name: `Tags of ${a.title}` }).getByRole('link');
  await expect(tags).toHaveText(a.tags.map((t) => `#${t}`));
  for (const [i, tag] of a.tags.entries()) await expect(tags.nth(i)).toHaveAttribute('href', `/tags/${tag}`);
}

test('home page lists the newest articles, newest first, with their details', async ({ page }) => {
  await page.goto('/');
  const cards = page.getByRole('region', { name: 'Latest articles' }).locator('article');
  const shown = published.slice(0, 10);
  expect(shown.length).toBeGreaterThan(1);
  await expect(cards).toHaveCount(shown.length);
  for (const [i, a] of shown.entries()) await expectCard(cards.nth(i), a);
  // Newest first, by the dates actually printed.
  const dates = await cards.locator('time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime') ?? ''));
  expect(dates).toEqual([...dates].sort().reverse());
});

test('the home page advertises RSS, Atom and JSON Feed with <link rel="alternate">', async ({ page, request }) => {
  await page.goto('/');
  for (const [type, path] of [
    ['application/rss+xml', '/rss.xml'],
    ['application/atom+xml', '/atom.xml'],
    ['application/feed+json', '/feed.json'],
  ] as const) {
    const link = page.locator(`link[rel="alternate"][type="${type}"]`);
    await expect(link).toHaveCount(1);
    const href = (await link.getAttribute('href')) ?? '';
    expect(new URL(href).pathname).toBe(path);
    expect((await request.get(path)).status()).toBe(200);
  }
});

test('a tag page lists exactly that tag\'s articles, newest first', async ({ page }) => {
  const tags = publishedTags();
  expect(tags.length).toBeGreaterThan(1);
  for (const tag of tags) {
    const response = await page.goto(`/tags/${tag}`);
    expect(response?.status(), tag).toBe(200);
    await expect(page.locator('h1')).toHaveText(`#${tag}`);
    const expected = published.filter((a) => a.tags.includes(tag));
    await expect(page.getByText(/^\d+ articles?$/)).toHaveText(`${expected.length} ${expected.length === 1 ? 'article' : 'articles'}`);
    const cards = page.locator('main article');
    await expect(cards, tag).toHaveCount(expected.length);
    for (const [i, a] of expected.entries()) await expectCard(cards.nth(i), a);
  }
});

test('the tags index links every tag with its count', async ({ page }) => {
  await page.goto('/tags');
  for (const tag of publishedTags()) {
    const count = published.filter((a) => a.tags.includes(tag)).length;
    const link = page.locator('main').getByRole('link', { name: `#${tag} (${count})`, exact: true });
    await expect(link).toHaveAttribute('href', `/tags/${tag}`);
  }
  await expect(page.locator('main li a')).toHaveCount(publishedTags().length);
});

test('the archive lists every published article by year, newest first', async ({ page }) => {
  await page.goto('/articles');
  await expect(page.locator('h1')).toHaveText('Archive');
  await expect(page.locator('main')).toContainText(`${published.length} articles, newest first.`);
  const links = page.locator('main li a');
  await expect(links).toHaveText(published.map((a) => a.title));
  for (const [i, a] of published.entries()) {
    await expect(links.nth(i)).toHaveAttribute('href', `/articles/${a.slug}`);
    await expect(page.locator('main li').nth(i).locator('time')).toHaveAttribute('datetime', a.date);
  }
  const years = [...new Set(published.map((a) => a.date.slice(0, 4)))];
  await expect(page.locator('main h2')).toHaveText(years);
});

test('/articles/does-not-exist is a 404 that offers the articles', async ({ page }) => {
  const response = await page.goto('/articles/does-not-exist');
  expect(response?.status()).toBe(404);
  await expect(page.locator('h1')).toHaveText('Page not found');
  const links = page.locator('main li a');
  await expect(links).toHaveText(published.slice(0, 8).map((a) => a.title));
  await links.first().click();
  await expect(page).toHaveURL(`/articles/${published[0]?.slug}`);
  await expect(page.locator('h1')).toHaveText(published[0]?.title ?? '');
});

for (const a of published) {
  test(`${a.slug} has a generated 1200×630 PNG share image`, async ({ page, request }) => {
    await page.goto(`/articles/${a.slug}`);
    const og = await page.locator('meta[property="og:image"]').getAttribute('content');
    expect(og).toMatch(/^https?:\/\/.+\/opengraph-image/);
    const url = new URL(og as string);
    expect(url.pathname).toBe(`/articles/${a.slug}/opengraph-image`);
    await expect(page.locator('meta[name="twitter:image"]')).toHaveAttribute('content', og as string);

    const response = await request.get(`${url.pathname}${url.search}`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('image/png');
    const png = await response.body();
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 630]);
    expect(png.length).toBeGreaterThan(10_000);
  });
}
