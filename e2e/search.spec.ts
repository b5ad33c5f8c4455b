import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { type ContentArticle, hiddenArticles, publishedArticles, REFERENCE_SLUG } from './support/content';

/**
 * Search: /search answered on the server (a form GET, no JavaScript), and the header box that
 * loads its code and index only when opened.
 */

const published = publishedArticles();

/** Lowercase words of an article's frontmatter text and body. */
function words(a: ContentArticle): Set<string> {
  const text = [a.title, a.description, ...a.takeaways, ...a.tags, a.body].join(' ').toLowerCase();
  return new Set(text.match(/[a-z]+/g) ?? []);
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/**
 * A word only this hidden article has: no published article has it, a word starting with it, or
 * one within two typos of it. Computed from the files, so the test follows the content.
 */
function uniqueWord(hidden: ContentArticle): string {
  const seen = [...new Set(published.flatMap((a) => [...words(a)]))];
  const word = [...words(hidden)]
    .filter((w) => w.length >= 9)
    .sort()
    .find((w) => seen.every((s) => !s.startsWith(w.slice(0, 6)) && editDistance(s, w) > 2));
  if (!word) throw new Error(`${hidden.slug} has no word of its own to search for`);
  return word;
}

const draft = hiddenArticles().find((a) => a.draft);
const scheduled = hiddenArticles().find((a) => !a.draft);

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the header link opens /search; a form GET for "partition" finds the reference article, excerpts marked and linked to headings', async ({ page }) => {
    await page.goto(`/articles/${REFERENCE_SLUG}`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search' }).click();
    await expect(page).toHaveURL('/search');
    const field = page.getByRole('searchbox', { name: 'Search articles' });
    await field.fill('partition');
    await field.press('Enter');
    await expect(page).toHaveURL('/search?q=partition');
    await expect(page.locator('[data-search-summary]')).toHaveText(/^\d+ articles? match(es)? “partition”\.$/);

    const results = page.locator('main ol.search-results > li');
    const reference = results.filter({ has: page.locator(`h2 a[href="/articles/${REFERENCE_SLUG}"]`) });
    await expect(reference).toHaveCount(1);
    // Every excerpt link goes to a heading of its article; the match is in <mark>.
    const excerptLinks = reference.locator(`p a[href^="/articles/${REFERENCE_SLUG}#"]`);
    expect(await excerptLinks.count()).toBeGreaterThan(0);
    await expect(reference.locator('mark').first()).toHaveText(/^partition/i);
    const href = (await excerptLinks.first().getAttribute('href')) ?? '';
    await excerptLinks.first().click();
    await expect(page).toHaveURL(href);
    await expect(page.locator(`[id="${href.split('#')[1]}"]`)).toBeInViewport();
  });

  for (const hidden of [draft, scheduled]) {
    test(`nothing for a word only the ${hidden?.draft ? 'draft' : 'scheduled article'} (${hidden?.slug}) has`, async ({ page }) => {
      const word = uniqueWord(hidden!);
      await page.goto(`/search?q=${encodeURIComponent(word)}`);
      await expect(page.locator('[data-search-summary]')).toHaveText(`No articles match “${word}”.`);
      await expect(page.locator('main ol.search-results')).toHaveCount(0);
      // The page as a whole never names the hidden article.
      await expect(page.locator('main')).not.toContainText(hidden!.title);
    });
  }

  test('a typo and a prefix still find the article; markup in the query is only text', async ({ page }) => {
    for (const query of ['partiton', 'partit']) {
      await page.goto(`/search?q=${query}`);
      await expect(page.locator(`main ol.search-results h2 a[href="/articles/${REFERENCE_SLUG}"]`)).toHaveCount(1);
    }
    await page.goto(`/search?q=${encodeURIComponent('<img src=x onerror=alert(1)>')}`);
    await expect(page.locator('main img')).toHaveCount(0);
    await expect(page.locator('[data-search-summary]')).toContainText('<img src=x onerror=alert(1)>');
  });
});

/** Presses "/" until the hydrated launcher answers (before hydration nothing listens). */
async function openWithSlash(page: Page) {
  const dialog = page.getByRole('dialog', { name: 'Search articles' });
  await expect(async () => {
    await page.keyboard.press('/');
    await expect(dialog).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  return dialog;
}

test.describe('with JavaScript', () => {
  test('the box and its index are not requested until it opens; typing then shows results', async ({ page }) => {
    const requested: string[] = [];
    page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    await page.goto(`/articles/${REFERENCE_SLUG}`, { waitUntil: 'networkidle' });
    const onArrival = new Set(requested);
    expect([...onArrival].some((p) => p.startsWith('/_next/static/chunks/')), 'the page loaded its scripts').toBe(true);
    expect([...onArrival].filter((p) => p.startsWith('/search-index/'))).toEqual([]);

    const dialog = await openWithSlash(page);
    const field = dialog.getByRole('searchbox', { name: 'Search articles' });
    await expect(field).toBeFocused();
    await field.pressSequentially('partit');
    const result = dialog.locator(`ol.search-results h3 a[href="/articles/${REFERENCE_SLUG}"]`);
    await expect(result).toBeVisible();
    // The reference article's own excerpt (another article may rank above it, its first match a typo one such as "part").
    await expect(dialog.locator('ol.search-results > li', { has: page.locator(`h3 a[href="/articles/${REFERENCE_SLUG}"]`) }).locator('mark').first()).toHaveText(/^partit/i);
    await expect(dialog.locator('[data-search-status]')).toHaveText(/^\d+ articles? match(es)?/);

    // What opening fetched: a script chunk the page had not loaded (the box and MiniSearch), the
    // index of this build, and the sections of the results shown.
    const after = requested.filter((p) => !onArrival.has(p));
    const chunks = after.filter((p) => p.startsWith('/_next/static/chunks/') && p.endsWith('.js'));
    expect(chunks.length, 'the search code came in its own chunk').toBeGreaterThan(0);
    const index = after.find((p) => /^\/search-index\/[0-9a-f]{16}$/.test(p));
    expect(index, 'the index was fetched on opening').toBeDefined();
    expect(after).toContain(`${index}/${REFERENCE_SLUG}`);
    const code = await Promise.all(chunks.map(async (p) => (await page.request.get(p)).text()));
    expect(code.some((text) => text.includes('loadJS')), 'MiniSearch is in the chunk loaded on opening').toBe(true);

    await result.click();
    await expect(page).toHaveURL(`/articles/${REFERENCE_SLUG}`);
  });

  test('Ctrl-K opens it too; Escape closes it and focus returns to the Search link', async ({ page }) => {
    await page.goto('/', { waitUntil: 'networkidle' });
    const dialog = page.getByRole('dialog', { name: 'Search articles' });
    await expect(async () => {
      await page.keyboard.press('Control+k');
      await expect(dialog).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 15_000 });
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search' })).toBeFocused();

    // The link opens it as well, and the Close button closes it.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search' }).click();
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Close search' }).click();
    await expect(dialog).toBeHidden();
  });

  test('"/" typed into a field is text, not the shortcut', async ({ page }) => {
    await page.goto('/search', { waitUntil: 'networkidle' });
    const field = page.getByRole('searchbox', { name: 'Search articles' });
    await field.click();
    await page.keyboard.type('a/b');
    await expect(field).toHaveValue('a/b');
    await expect(page.getByRole('dialog')).toHaveCount(0);
  });

  test('arrow keys move from the field through the results; Enter in the field goes to /search', async ({ page }) => {
    await page.goto('/', { waitUntil: 'networkidle' });
    const dialog = await openWithSlash(page);
    const field = dialog.getByRole('searchbox', { name: 'Search articles' });
    await field.pressSequentially('consistency');
    const first = dialog.locator('a[data-search-result]').first();
    await expect(first).toBeVisible();
    await field.press('ArrowDown');
    await expect(first).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await expect(field).toBeFocused();
    await field.press('Enter');
    await expect(page).toHaveURL('/search?q=consistency');
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`axe: the open search box with results has no violations (${scheme})`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto('/', { waitUntil: 'networkidle' });
      const dialog = await openWithSlash(page);
      await dialog.getByRole('searchbox').pressSequentially('replica');
      await expect(dialog.locator('mark').first()).toBeVisible();
      const results = await new AxeBuilder({ page }).analyze();
      expect(results.passes.length).toBeGreaterThan(10);
      expect(results.violations.map((v) => ({ rule: v.id, nodes: v.nodes.map((n) => n.target.join(' ')) }))).toEqual([]);
    });
  }
});

test('the index is served immutable under its version; another version is a 404', async ({ page, request }) => {
  await page.goto('/');
  const url = (await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search' }).getAttribute('data-search-index')) ?? '';
  expect(url).toMatch(/^\/search-index\/[0-9a-f]{16}$/);
  const index = await request.get(url);
  expect(index.status()).toBe(200);
  expect(index.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  const file = (await index.json()) as { articles: [string, string][] };
  expect(file.articles.map(([slug]) => slug).sort()).toEqual(published.map((a) => a.slug).sort());
  expect((await request.get(`${url}/${REFERENCE_SLUG}`)).status()).toBe(200);
  for (const hidden of hiddenArticles()) expect((await request.get(`${url}/${hidden.slug}`)).status(), hidden.slug).toBe(404);
  expect((await request.get('/search-index/0000000000000000')).status()).toBe(404);
});
