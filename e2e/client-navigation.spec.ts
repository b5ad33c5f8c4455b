import { expect, type Page, test } from '@playwright/test';
import { article, fences, headings, pathOf, REFERENCE_SLUG } from './support/content';

/**
 * The article body is sent once, as HTML (components/article/article-body.tsx): after a client-side
 * navigation there is no server HTML for the next article's body, so the page fetches it. These
 * follow links inside bodies, as a reader does, and check that the whole body arrives (headings with
 * their anchors, code with working Copy buttons, math, footnotes), in the same document.
 */

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

const body = (page: Page) => page.locator('article [data-article-body]');

/** Waits until React has hydrated the body (it then handles its links), and marks the document. */
async function openHydrated(page: Page, slug: string) {
  await page.goto(`/articles/${slug}`);
  await expect
    .poll(() => body(page).evaluate((el) => Object.keys(el).some((key) => key.startsWith('__reactProps$'))), { message: 'the body hydrated' })
    .toBe(true);
  await page.evaluate(() => Object.assign(window, { __sameDocument: true }));
}

async function followBodyLink(page: Page, slug: string) {
  const target = article(slug);
  await body(page).locator(`a[href="/articles/${slug}"]`).first().click();
  await expect(page).toHaveURL((url) => pathOf(url.toString()) === `/articles/${slug}`);
  await expect(page.locator('h1')).toHaveText(target.title);
  expect(await page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument), 'a client-side navigation').toBe(true);
}

async function expectFullBody(page: Page, slug: string) {
  const expected = headings(slug);
  const found = await body(page).evaluate((el) =>
    [...el.querySelectorAll('h2[id], h3[id]')].filter((h) => !h.closest('[data-footnotes]')).map((h) => ({ id: h.id, anchor: h.querySelector('a')?.getAttribute('href') })),
  );
  expect(found).toEqual(expected.map((h) => ({ id: h.id, anchor: `#${h.id}` })));
  await expect(body(page).locator('[data-code-block]')).toHaveCount(fences(slug).filter((f) => f.lang !== 'diagram').length);
  // The body appears once: what was fetched replaced nothing twice.
  await expect(page.locator('[data-article-body]')).toHaveCount(1);
}

test('a link in one article body to another shows the whole next body, without a page load', async ({ page }) => {
  await openHydrated(page, REFERENCE_SLUG);
  await followBodyLink(page, 'zero-downtime-deployments');
  await expectFullBody(page, 'zero-downtime-deployments');

  // The fetched body's Copy buttons work like the server-rendered ones.
  const block = body(page).locator('[data-code-block]').first();
  await page.evaluate(() => navigator.clipboard.writeText('(nothing copied)'));
  await block.getByRole('button', { name: 'Copy' }).click();
  await expect(block.getByRole('button')).toContainText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).not.toBe('(nothing copied)');

  // A second hop to an article with math and footnotes: typeset, with its stylesheet, notes linked.
  await followBodyLink(page, 'idempotency-keys-and-retries');
  await expectFullBody(page, 'idempotency-keys-and-retries');
  await expect(body(page).locator('.katex').first()).toBeVisible();
  await expect(page.locator('head link[rel="stylesheet"][href*="/katex/"]')).toHaveCount(1);
  const notes = page.getByRole('region', { name: 'Notes' });
  await expect(notes.locator('ol > li').first()).toBeAttached();
  const reference = body(page).locator('sup > a[data-footnote-ref]').first();
  await reference.click();
  await expect(page).toHaveURL(/#user-content-fn-/);

  // Back to where the reader started: that body again, still the same document.
  await page.goBack();
  await page.goBack();
  await expect(page).toHaveURL((url) => pathOf(url.toString()) === '/articles/zero-downtime-deployments');
  await expectFullBody(page, 'zero-downtime-deployments');
  expect(await page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
});

test('a modified click on a body link is left to the browser', async ({ page, context }) => {
  await openHydrated(page, REFERENCE_SLUG);
  const opened = context.waitForEvent('page');
  await body(page).locator('a[href="/articles/zero-downtime-deployments"]').first().click({ modifiers: ['ControlOrMeta'] });
  const tab = await opened;
  await tab.waitForLoadState();
  expect(pathOf(tab.url())).toBe('/articles/zero-downtime-deployments');
  await expect(page).toHaveURL((url) => pathOf(url.toString()) === `/articles/${REFERENCE_SLUG}`);
});
