import { expect, type Locator, type Page, test } from '@playwright/test';
import { fences, REFERENCE_SLUG } from './support/content';

/**
 * On a phone the page itself never scrolls sideways: wide tables, code and diagrams scroll inside
 * their own boxes, and diagrams never wrap.
 */

test.use({ viewport: { width: 375, height: 800 } });

async function pageOverflow(page: Page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    bodyScrollWidth: document.body.scrollWidth,
  }));
}

/** Scrolls a box sideways and reads the position back: > 0 only if it really scrolls. */
async function scrollsSideways(box: Locator) {
  return box.evaluate((el) => {
    el.scrollLeft = 120;
    const moved = el.scrollLeft;
    el.scrollLeft = 0;
    return moved;
  });
}

for (const url of [`/articles/${REFERENCE_SLUG}`, '/', '/articles/zero-downtime-deployments']) {
  test(`${url} never scrolls sideways at 375px`, async ({ page }) => {
    await page.goto(url, { waitUntil: 'networkidle' });
    // Make sure the test looks at a real page at the phone width.
    await expect(page.locator('h1')).toHaveCount(1);
    expect(await page.evaluate(() => window.innerWidth)).toBe(375);
    const { scrollWidth, clientWidth, bodyScrollWidth } = await pageOverflow(page);
    expect(clientWidth).toBe(375);
    expect(scrollWidth, 'document scrollWidth').toBeLessThanOrEqual(clientWidth);
    expect(bodyScrollWidth, 'body scrollWidth').toBeLessThanOrEqual(clientWidth);
    // And trying to scroll the window sideways does nothing.
    await page.evaluate(() => window.scrollTo(200, 0));
    expect(await page.evaluate(() => window.scrollX)).toBe(0);
  });
}

test('the comparison table scrolls inside its own box', async ({ page }) => {
  await page.goto(`/articles/${REFERENCE_SLUG}`);
  const box = page.getByRole('region').filter({ has: page.getByRole('columnheader', { name: 'Write Availability' }) });
  await expect(box).toHaveCount(1);
  await expect(box).toHaveAttribute('tabindex', '0');
  const { scrollWidth, clientWidth } = await box.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
  expect(scrollWidth).toBeGreaterThan(clientWidth);
  expect(await scrollsSideways(box)).toBeGreaterThan(0);
  // The page did not get wider because of it.
  const { scrollWidth: pageWidth, clientWidth: viewport } = await pageOverflow(page);
  expect(pageWidth).toBeLessThanOrEqual(viewport);
});

test('a diagram scrolls inside its box and never wraps, at the width where it overflows', async ({ page }) => {
  const sources = fences(REFERENCE_SLUG, 'diagram');
  expect(sources.length).toBeGreaterThan(0);

  // Find the first phone width at which a diagram is wider than its box.
  let found: { width: number; index: number } | undefined;
  for (const width of [375, 360, 320]) {
    await page.setViewportSize({ width, height: 800 });
    await page.goto(`/articles/${REFERENCE_SLUG}`, { waitUntil: 'networkidle' });
    const overflowing = await page
      .locator('article [role="img"]')
      .evaluateAll((boxes) => boxes.findIndex((box) => box.scrollWidth > box.clientWidth));
    if (overflowing >= 0) {
      found = { width, index: overflowing };
      break;
    }
  }
  expect(found, 'a diagram overflows its box at 320px or wider').toBeDefined();
  const { width, index } = found as { width: number; index: number };
  test.info().annotations.push({ type: 'diagram-overflow-width', description: `${width}px, diagram ${index + 1}` });

  const box = page.locator('article [role="img"]').nth(index);
  const pre = box.locator('pre');
  expect(await scrollsSideways(box)).toBeGreaterThan(0);
  const { scrollWidth, clientWidth } = await pageOverflow(page);
  expect(scrollWidth, 'the page stays inside the viewport').toBeLessThanOrEqual(clientWidth);

  // Every rendered line is exactly the source line...
  const source = (sources[index] as (typeof sources)[number]).code.split('\n');
  const rendered = ((await pre.textContent()) ?? '').split('\n');
  expect(rendered).toEqual(source);
  // ...and it is drawn on one line: the block is exactly as tall as its number of lines.
  const lines = await pre.evaluate((el) => {
    const style = getComputedStyle(el);
    return { whiteSpace: style.whiteSpace, height: el.getBoundingClientRect().height, lineHeight: parseFloat(style.lineHeight) };
  });
  expect(lines.whiteSpace).toBe('pre');
  expect(Math.round(lines.height / lines.lineHeight)).toBe(source.length);
});
