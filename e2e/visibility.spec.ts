import { expect, type Page, test } from '@playwright/test';
import { hiddenArticles, publishedArticles } from './support/content';

/**
 * The draft and the future-dated article (computed from content/*.mdx) exist nowhere a reader
 * can reach: not in lists, tag pages, feeds or the sitemap, and their URLs are 404s.
 */

const hidden = hiddenArticles();
const published = publishedArticles();

test('the content has a draft and a future-dated article to hide', () => {
  expect(hidden.filter((a) => a.draft).length).toBeGreaterThan(0);
  expect(hidden.filter((a) => !a.draft && a.date > new Date().toISOString().slice(0, 10)).length).toBeGreaterThan(0);
});

/** No link to the article and no mention of its title. */
async function expectAbsent(page: Page, where: string) {
  const main = page.locator('main');
  for (const a of hidden) {
    await expect(page.locator(`a[href$="/articles/${a.slug}"]`), `${where}: link to ${a.slug}`).toHaveCount(0);
    await expect(main, `${where}: title of ${a.slug}`).not.toContainText(a.title);
  }
}

test('absent from the home page', async ({ page }) => {
  await page.goto('/');
  // The list is really there (so "absent" means something).
  await expect(page.getByRole('link', { name: published[0]?.title, exact: true })).toBeVisible();
  await expectAbsent(page, '/');
});

test('absent from the /articles archive', async ({ page }) => {
  await page.goto('/articles');
  await expect(page.locator('main a[href^="/articles/"]')).toHaveCount(published.length);
  await expectAbsent(page, '/articles');
});

for (const a of hidden) {
  test(`${a.slug} (${a.draft ? 'draft' : `scheduled for ${a.date}`}) is on none of its tag pages`, async ({ page }) => {
    for (const tag of a.tags) {
      const response = await page.goto(`/tags/${tag}`);
      const visible = published.filter((p) => p.tags.includes(tag));
      if (visible.length === 0) {
        // A tag only hidden articles carry has no page at all.
        expect(response?.status(), `/tags/${tag}`).toBe(404);
      } else {
        expect(response?.status(), `/tags/${tag}`).toBe(200);
        await expect(page.locator('main h2 a, main h3 a')).toHaveText(visible.map((p) => p.title));
      }
      await expectAbsent(page, `/tags/${tag}`);
    }
  });

  test(`${a.slug} answers 404 with the not-found page and the article list`, async ({ page, request }) => {
    const response = await page.goto(`/articles/${a.slug}`);
    expect(response?.status()).toBe(404);
    await expect(page.locator('h1')).toHaveText('Page not found');
    await expect(page.locator('h1')).not.toHaveText(a.title);
    const offered = page.locator('main li a');
    await expect(offered).toHaveText(published.slice(0, 8).map((p) => p.title));
    await expect(page.getByRole('link', { name: /Browse the whole archive/ })).toHaveAttribute('href', '/articles');
    await expectAbsent(page, `/articles/${a.slug}`);
    // Nor does it have a share image.
    expect((await request.get(`/articles/${a.slug}/opengraph-image`)).status()).toBe(404);
  });
}

test('absent from the feeds and the sitemap', async ({ request }) => {
  for (const url of ['/rss.xml', '/atom.xml', '/feed.json', '/sitemap.xml']) {
    const response = await request.get(url);
    expect(response.status(), url).toBe(200);
    const text = await response.text();
    expect(text, `${url} lists the published articles`).toContain(`/articles/${published[0]?.slug}`);
    for (const a of hidden) {
      expect(text, `${url}: ${a.slug}`).not.toContain(`/articles/${a.slug}`);
      expect(text, `${url}: ${a.slug}`).not.toContain(a.title);
    }
  }
});
