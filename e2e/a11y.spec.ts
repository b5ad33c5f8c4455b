import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { REFERENCE_SLUG } from './support/content';

/** Accessibility: axe on every kind of page, the skip link, and the theme toggle without a flash. */

async function axeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.passes.length, 'axe ran its checks').toBeGreaterThan(10);
  // Readable failures: rule, impact, and where.
  return results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`),
  }));
}

const PAGES = [
  { name: 'home page', url: '/', status: 200 },
  { name: 'reference article', url: `/articles/${REFERENCE_SLUG}`, status: 200 },
  // Footnotes, math (KaTeX's HTML + MathML), a titled block with highlighted lines and numbers, a diff.
  { name: 'article with footnotes, math and diff code', url: '/articles/idempotency-keys-and-retries', status: 200 },
  { name: 'tag page', url: '/tags/distributed-systems', status: 200 },
  { name: 'archive', url: '/articles', status: 200 },
  { name: '404 page', url: '/articles/does-not-exist', status: 404 },
];

for (const { name, url, status } of PAGES) {
  for (const scheme of ['light', 'dark'] as const) {
    test(`axe: no violations on the ${name} (${scheme})`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      const response = await page.goto(url, { waitUntil: 'networkidle' });
      expect(response?.status()).toBe(status);
      // The theme really is the one under test, so the contrast checks run against it.
      if (scheme === 'dark') await expect(page.locator('html')).toHaveClass(/\bdark\b/);
      else await expect(page.locator('html')).not.toHaveClass(/\bdark\b/);
      expect(await axeViolations(page)).toEqual([]);
    });
  }
}

for (const url of ['/', `/articles/${REFERENCE_SLUG}`]) {
  test(`skip link on ${url} is the first focusable element and moves focus to main`, async ({ page }) => {
    await page.goto(url, { waitUntil: 'networkidle' });
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    await expect(skip).toBeFocused();
    await expect(skip).toHaveAttribute('href', '#main');
    // Visible once focused (it is visually hidden otherwise).
    await expect(skip).toBeInViewport();
    const box = await skip.boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(20);

    await page.keyboard.press('Enter');
    await expect(page.locator('main#main')).toBeFocused();
    // The next Tab continues inside main, past the header.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('main') !== null)).toBe(true);
  });
}

/**
 * Records, from before the first byte is parsed, whether <html> had the dark class at the moment
 * <body> was created — i.e. before anything could be painted and before any bundle ran.
 */
async function recordThemeAtFirstPaint(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __darkAtBody?: boolean };
    const observer = new MutationObserver(() => {
      if (document.body && w.__darkAtBody === undefined) {
        w.__darkAtBody = document.documentElement.classList.contains('dark');
        observer.disconnect();
      }
    });
    observer.observe(document, { childList: true, subtree: true });
  });
}

const darkAtBody = (page: Page) => page.evaluate(() => (window as unknown as { __darkAtBody?: boolean }).__darkAtBody);

test.describe('theme toggle', () => {
  test.use({ colorScheme: 'light' });

  test('cycles system → light → dark, and dark persists across reload without a flash', async ({ page }) => {
    await recordThemeAtFirstPaint(page);
    await page.goto('/', { waitUntil: 'networkidle' });
    const html = page.locator('html');
    const toggle = page.getByRole('button', { name: /theme \(click to change\)/ });
    await expect(toggle).toHaveAccessibleName('System theme (click to change)');
    await expect(html).not.toHaveClass(/\bdark\b/);
    expect(await darkAtBody(page)).toBe(false);

    // The first click lands once React has hydrated the button.
    await expect(async () => {
      await toggle.click();
      await expect(toggle).toHaveAccessibleName('Light theme (click to change)', { timeout: 1000 });
    }).toPass({ timeout: 10_000 });
    await expect(html).not.toHaveClass(/\bdark\b/);
    expect(await page.evaluate(() => localStorage.getItem('theme'))).toBe('light');

    await toggle.click();
    await expect(toggle).toHaveAccessibleName('Dark theme (click to change)');
    await expect(html).toHaveClass(/\bdark\b/);
    expect(await page.evaluate(() => localStorage.getItem('theme'))).toBe('dark');

    await page.reload({ waitUntil: 'networkidle' });
    await expect(html).toHaveClass(/\bdark\b/);
    expect(await darkAtBody(page), 'dark before <body> existed: no light flash').toBe(true);
    await expect(toggle).toHaveAccessibleName('Dark theme (click to change)');

    // Back to "system" forgets the choice: light again, also after a reload.
    await toggle.click();
    await expect(toggle).toHaveAccessibleName('System theme (click to change)');
    await expect(html).not.toHaveClass(/\bdark\b/);
    expect(await page.evaluate(() => localStorage.getItem('theme'))).toBeNull();
    await page.reload();
    expect(await darkAtBody(page)).toBe(false);
  });

  test('the stored theme is applied by the inline script alone, with every bundle blocked', async ({ page }) => {
    await page.goto('/');
    await page.evaluate(() => localStorage.setItem('theme', 'dark'));
    // No JavaScript file can load: React never hydrates, so only the inline head script can set the class.
    let blocked = 0;
    await page.route(/\.js(\?|$)/, (route) => {
      blocked++;
      return route.abort();
    });
    await page.goto(`/articles/${REFERENCE_SLUG}`);
    expect(blocked, 'bundles were requested and blocked').toBeGreaterThan(0);
    await expect(page.locator('html')).toHaveClass(/\bdark\b/);
    // Proof that nothing hydrated: the toggle still shows its server-rendered "system" state.
    await expect(page.getByRole('button', { name: /theme \(click to change\)/ })).toHaveAttribute('data-theme-choice', 'system');

    await page.evaluate(() => localStorage.setItem('theme', 'light'));
    await page.reload();
    await expect(page.locator('html')).not.toHaveClass(/\bdark\b/);
  });

  test('with no stored choice the system scheme decides before first paint; a stored choice wins', async ({ page }) => {
    await recordThemeAtFirstPaint(page);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto('/');
    expect(await darkAtBody(page)).toBe(true);
    await expect(page.locator('html')).toHaveClass(/\bdark\b/);

    await page.evaluate(() => localStorage.setItem('theme', 'light'));
    await page.reload();
    expect(await darkAtBody(page)).toBe(false);
    await expect(page.locator('html')).not.toHaveClass(/\bdark\b/);
  });
});
