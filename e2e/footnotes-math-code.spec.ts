import { expect, type Page, test } from '@playwright/test';
import { article, fences, REFERENCE_SLUG } from './support/content';

/**
 * Footnotes, math and code-fence options in a real published article, in Chromium: footnote
 * links go both ways, formulas are typeset with no math JavaScript (and KaTeX's stylesheet only
 * where there is math), code titles, highlighted lines, line numbers and diff markers show.
 * What the Copy button copies is e2e/copy.spec.ts; axe is e2e/a11y.spec.ts.
 */

const SLUG = 'idempotency-keys-and-retries';
const URL = `/articles/${SLUG}`;
const body = article(SLUG).body;

/** Footnote labels in order of first reference, as GFM numbers them (a definition starts its line). */
const footnoteLabels = [
  ...new Set([...body.matchAll(/\[\^([\w-]+)\]/g)].filter((m) => m.index > 0 && body[m.index - 1] !== '\n').map((m) => m[1] as string)),
];

test.describe('footnotes', () => {
  test('each reference jumps to its note, and the note\'s back-link returns to the reference', async ({ page }) => {
    expect(footnoteLabels.length, 'the article has footnotes').toBeGreaterThanOrEqual(2);
    await page.goto(URL);
    const notes = page.getByRole('region', { name: 'Notes' });
    await expect(notes.getByRole('heading', { name: 'Notes' })).toBeVisible();
    await expect(notes.locator('ol > li')).toHaveCount(footnoteLabels.length);

    for (const [index, label] of footnoteLabels.entries()) {
      const number = String(index + 1);
      const reference = page.locator(`sup > a#user-content-fnref-${label}`);
      await expect(reference).toHaveText(number);
      await expect(reference).toHaveAttribute('aria-describedby', 'footnote-label');

      await reference.click();
      await expect(page).toHaveURL(new RegExp(`#user-content-fn-${label}$`));
      const note = page.locator(`li#user-content-fn-${label}`);
      await expect(note).toBeInViewport();
      expect(await note.evaluate((li) => li.matches(':target'))).toBe(true);

      const back = note.getByRole('link', { name: `Back to reference ${number}` });
      await back.click();
      await expect(page).toHaveURL(new RegExp(`#user-content-fnref-${label}$`));
      await expect(reference).toBeInViewport();
      await expect(note).not.toBeInViewport();
    }
  });
});

/** Every script the page loads (URL paths), and every /katex/ request, until the network is idle. */
async function load(page: Page, url: string) {
  const scripts = new Set<string>();
  const katex: { path: string; status: number; type: string }[] = [];
  page.on('response', (response) => {
    const path = new globalThis.URL(response.url()).pathname;
    if (response.request().resourceType() === 'script') scripts.add(path);
    if (path.startsWith('/katex/')) katex.push({ path, status: response.status(), type: response.headers()['content-type'] ?? '' });
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  const inlineScripts = await page.locator('script:not([src])').evaluateAll((els) => els.map((el) => el.textContent ?? ''));
  const stylesheets = await page.locator('link[rel="stylesheet"]').evaluateAll((els) => els.map((el) => el.getAttribute('href') ?? ''));
  return { scripts, katex, inlineScripts, stylesheets };
}

test.describe('math', () => {
  test('typeset at build time: the math page loads no script a page without math does not, and KaTeX\'s CSS and fonts only there', async ({ page, browser }) => {
    const withMath = await load(page, URL);

    const formulas = page.locator('article .katex');
    expect(await formulas.count()).toBeGreaterThanOrEqual(4);
    await expect(page.locator('article .katex-display math[display="block"]')).toHaveCount(1);
    // MathML for assistive technology, the HTML rendering for the eye, styled by KaTeX's CSS.
    await expect(formulas.first().locator('annotation[encoding="application/x-tex"]')).toHaveText('n');
    await expect(page.locator('article .katex-html').first()).toBeVisible();
    expect(await page.locator('article .katex').first().evaluate((el) => getComputedStyle(el).fontFamily)).toMatch(/KaTeX_Main/);
    expect(await page.evaluate(() => document.fonts.check('1em KaTeX_Main'))).toBe(true);
    expect(await page.locator('.katex-error').count()).toBe(0);

    // The stylesheet is linked once, from this origin, under KaTeX's version; its fonts load too.
    const sheet = withMath.stylesheets.filter((href) => href.startsWith('/katex/'));
    expect(sheet).toEqual([expect.stringMatching(/^\/katex\/\d+\.\d+\.\d+\/katex\.min\.css$/)]);
    expect(withMath.katex).toContainEqual({ path: sheet[0], status: 200, type: expect.stringMatching(/^text\/css/) });
    const fonts = withMath.katex.filter((r) => r.path.endsWith('.woff2'));
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts) expect(font.status, font.path).toBe(200);

    // The same comparison on an article without math, in a fresh context (nothing cached).
    const context = await browser.newContext();
    const without = await load(await context.newPage(), `/articles/${REFERENCE_SLUG}`);
    await context.close();
    expect(without.katex, 'no KaTeX request at all on a page without math').toEqual([]);
    expect(without.stylesheets.filter((href) => href.includes('katex'))).toEqual([]);

    expect(without.scripts.size, 'article pages load their bundles').toBeGreaterThan(0);
    expect([...withMath.scripts].filter((script) => !without.scripts.has(script)), 'scripts only the math page loads').toEqual([]);
    // Nor is KaTeX inlined: the RSC payload carries the typeset markup, never a renderer.
    for (const text of withMath.inlineScripts) expect(text).not.toMatch(/renderToString|katex\.render|ParseError/);
  });
});

test.describe('code fences', () => {
  const metaOf = (title: string) => fences(SLUG).find((f) => f.meta.includes(`title="${title}"`));

  test('a title in the block\'s header, highlighted lines, and line numbers that are not text', async ({ page }) => {
    await page.goto(URL);
    const fence = metaOf('post-idempotent.ts');
    expect(fence?.meta).toMatch(/\{19,37-38\} showLineNumbers/);
    const block = page.locator('[data-code-block]').filter({ has: page.locator('[data-code-title]', { hasText: 'post-idempotent.ts' }) });
    await expect(block).toHaveCount(1);
    await expect(block.locator('[data-code-title]')).toBeVisible();
    await expect(block.getByText('TypeScript', { exact: true })).toBeVisible();
    await expect(block.locator('pre')).toHaveAttribute('aria-label', 'post-idempotent.ts, TypeScript code');

    const lines = block.locator('code > [data-line]');
    const source = (fence?.code ?? '').split('\n');
    await expect(lines).toHaveCount(source.length);
    const highlighted = await lines.evaluateAll((els) => els.flatMap((el, i) => (el.hasAttribute('data-highlighted-line') ? [i + 1] : [])));
    expect(highlighted).toEqual([19, 37, 38]);
    await expect(lines.nth(18)).toHaveText(source[18] as string);
    // A tint that shows: the highlighted line's background differs from a plain line's.
    const background = (i: number) => lines.nth(i).evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await background(18)).not.toBe(await background(0));

    // Numbers drawn by a CSS counter, one per line, never part of the line's text.
    await expect(block.locator('code')).toHaveAttribute('data-line-numbers', '');
    const numbers = await lines.evaluateAll((els) => els.map((el) => getComputedStyle(el, '::before').content));
    expect(new Set(numbers)).toEqual(new Set(['counter(line)']));
    await expect(lines.nth(0)).toHaveText(source[0] as string);
  });

  test('a diff block: markers in their own column over the language\'s highlighting, not in the text', async ({ page }) => {
    await page.goto(URL);
    const fence = metaOf('checkout.ts');
    expect(fence?.meta).toMatch(/\bdiff\b/);
    const block = page.locator('[data-code-block]').filter({ has: page.locator('[data-code-title]', { hasText: 'checkout.ts' }) });
    const lines = block.locator('code > [data-line]');
    const source = (fence?.code ?? '').split('\n');
    await expect(lines).toHaveCount(source.length);

    const expected = source.map((line) => (line.startsWith('+') ? 'add' : line.startsWith('-') ? 'remove' : null));
    const shown = await lines.evaluateAll((els) =>
      els.map((el) => ({
        diff: el.getAttribute('data-diff'),
        text: el.textContent === ' ' ? '' : el.textContent,
        marker: getComputedStyle(el, '::after').content,
        background: getComputedStyle(el).backgroundColor,
      })),
    );
    expect(shown.map((l) => l.diff)).toEqual(expected);
    expect(shown.map((l) => l.text)).toEqual(source.map((line) => line.slice(1)));
    for (const line of shown) {
      if (line.diff === 'add') expect(line.marker).toMatch(/^"\+"/);
      else if (line.diff === 'remove') expect(line.marker).toMatch(/^"−"/);
      else expect(line.marker).toBe('none');
    }
    const tints = new Set(shown.map((l) => `${l.diff}:${l.background}`));
    expect(tints.size, 'added, removed and unchanged lines each have their own background').toBe(3);
    // Still TypeScript: the keywords on changed lines are coloured tokens, not flat text.
    const keyword = block.locator('[data-diff="add"] span', { hasText: /^\s*const$/ }).first();
    await expect(keyword).toHaveAttribute('class', /^c\d+$/);
    const colours = await keyword.evaluate((span) => [getComputedStyle(span).color, getComputedStyle(span.closest('code') as Element).color]);
    expect(colours[0]).not.toBe(colours[1]);
  });
});
