import { expect, test } from '@playwright/test';
import { copiedCode, fences, REFERENCE_SLUG } from './support/content';

/**
 * Every code block's Copy button puts exactly the fence's text on the clipboard: what a reader
 * pastes into a terminal or editor must be the code from the MDX file, byte for byte; with no line
 * numbers, and for a diff block, no markers and no removed lines (support/content.ts copiedCode).
 */

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

// idempotency-keys-and-retries has a titled block with highlighted lines and line numbers, and a diff block.
const ARTICLES = [REFERENCE_SLUG, 'zero-downtime-deployments', 'idempotency-keys-and-retries'];

for (const slug of ARTICLES) {
  test(`${slug}: each Copy button copies its fence exactly`, async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const expected = fences(slug).filter((f) => f.lang !== 'diagram');
    await page.goto(`/articles/${slug}`, { waitUntil: 'networkidle' });

    const blocks = page.locator('[data-code-block]');
    await expect(blocks).toHaveCount(expected.length);
    if (slug === REFERENCE_SLUG) {
      expect(expected.map((f) => f.lang)).toEqual(expect.arrayContaining(['sql', 'go', 'yaml']));
    }
    if (slug === 'idempotency-keys-and-retries') {
      expect(expected.map((f) => f.meta)).toEqual(expect.arrayContaining([expect.stringMatching(/showLineNumbers/), expect.stringMatching(/\bdiff\b/)]));
    }

    for (const [i, source] of expected.entries()) {
      const block = blocks.nth(i);
      await expect(block.locator('pre')).toHaveAttribute('data-language', source.lang);
      const button = block.getByRole('button');
      await expect(button).toHaveText('Copy');

      // Empty the clipboard first, so a stale value from the previous block cannot pass.
      await page.evaluate(() => navigator.clipboard.writeText('(nothing copied)'));
      // The button works once React has hydrated it; retry the click until it reacts.
      await expect(async () => {
        await button.click();
        await expect(button).toContainText('Copied', { timeout: 1000 });
      }).toPass({ timeout: 10_000 });

      const copied = await page.evaluate(() => navigator.clipboard.readText());
      expect(copied, `${slug} block ${i + 1} (${source.lang})`).toBe(copiedCode(source));
      expect(copied.endsWith('\n')).toBe(false);
    }
    // The label returns to "Copy" afterwards.
    await expect(blocks.last().getByRole('button')).toHaveText('Copy', { timeout: 5000 });
  });
}
