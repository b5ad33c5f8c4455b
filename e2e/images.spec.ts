import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { article, CONTENT_DIR, pathOf, publishedArticles } from './support/content';

/**
 * Images in an article, as a reader's browser gets them: sized in the HTML, loaded as AVIF or
 * WebP from a srcset, no layout shift, a full-size view reachable by keyboard, nothing fetched
 * that is not shown, axe clean; and the feed's absolute, plain-format copy.
 */

const SLUG = 'database-replication-read-your-writes';
const URL = `/articles/${SLUG}`;
// The article's one image, as the editor wrote it: ![alt](./path "caption"), before its first ##.
const written = /^!\[([^\]]+)\]\(\.\/(\S+?) "([^"]+)"\)$/m.exec(article(SLUG).body);
const [, ALT = '', , CAPTION = ''] = written ?? [];
const WITHOUT_IMAGES = publishedArticles().find((a) => !a.body.includes('!['))?.slug ?? '';

test.beforeAll(() => {
  expect(written, `${SLUG}.mdx has one image written as ![alt](./… "caption")`).not.toBeNull();
  expect(article(SLUG).body.indexOf('![')).toBeLessThan(article(SLUG).body.indexOf('\n## '));
  expect(WITHOUT_IMAGES).not.toBe('');
});

/** Layout shifts as the Web Vitals CLS counts them (not those right after input), from before the first paint. */
async function recordLayoutShifts(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __shifts: number[] };
    w.__shifts = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as unknown as Array<{ value: number; hadRecentInput: boolean }>) {
        if (!entry.hadRecentInput) w.__shifts.push(entry.value);
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

test('the image has its size in the HTML, loads as AVIF or WebP, and shifts nothing (CLS 0)', async ({ page }) => {
  await recordLayoutShifts(page);
  const images: { url: string; type: string }[] = [];
  page.on('response', (response) => {
    if (pathOf(response.url()).startsWith('/media/')) images.push({ url: response.url(), type: response.headers()['content-type'] ?? '' });
  });
  // Article images (not /_next/static/media: the fonts) held back until the page has laid out:
  // the image's space must be reserved by its width and height alone.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route((url) => url.pathname.startsWith('/media/'), async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(URL, { waitUntil: 'domcontentloaded' });

  const img = page.locator('article figure:has(img) img');
  const reserved = await img.evaluate((el: HTMLImageElement) => ({
    complete: el.complete,
    width: el.getBoundingClientRect().width,
    height: el.getBoundingClientRect().height,
    ratio: Number(el.getAttribute('width')) / Number(el.getAttribute('height')),
  }));
  expect(reserved.complete, 'the image has not arrived yet').toBe(false);
  expect(reserved.height).toBeGreaterThan(100);
  expect(reserved.width / reserved.height).toBeCloseTo(reserved.ratio, 1);
  release();

  await expect(img).toHaveCount(1);
  await expect(img).toHaveAttribute('alt', ALT);
  await expect(img).toHaveAttribute('width', /^\d+$/);
  await expect(img).toHaveAttribute('height', /^\d+$/);
  // Before the first ##: the one image the page asks for first.
  await expect(img).toHaveAttribute('loading', 'eager');
  await expect(img).toHaveAttribute('fetchpriority', 'high');
  await expect(page.locator('article figure:has(img) figcaption')).toHaveText(CAPTION);

  await img.scrollIntoViewIfNeeded();
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true);
  const shown = await img.evaluate((el: HTMLImageElement) => ({
    currentSrc: el.currentSrc,
    width: el.getBoundingClientRect().width,
    height: el.getBoundingClientRect().height,
    ratio: Number(el.getAttribute('width')) / Number(el.getAttribute('height')),
  }));
  // The candidate Chromium chose is the AVIF <source>, and the server said so.
  const chosen = images.find((i) => i.url === shown.currentSrc);
  expect(chosen?.type, `${shown.currentSrc} was fetched`).toMatch(/^image\/(avif|webp)$/);
  expect(shown.width / shown.height).toBeCloseTo(shown.ratio, 1);
  // Only the chosen file was fetched: no fallback PNG, no full-size file (next/link would prefetch it).
  expect(images.map((i) => i.url)).toEqual([shown.currentSrc]);

  // Down the whole page and back, so everything that could move has had its chance.
  await page.evaluate(async () => {
    for (let y = 0; y < document.body.scrollHeight; y += 600) {
      window.scrollTo(0, y);
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    window.scrollTo(0, 0);
  });
  await page.waitForLoadState('networkidle');
  expect(await page.evaluate(() => (window as unknown as { __shifts: number[] }).__shifts)).toEqual([]);
});

test('the full-size image opens from the keyboard: Tab to the figure\'s link, Enter', async ({ page }) => {
  await page.goto(URL, { waitUntil: 'networkidle' });
  const link = page.locator('article figure:has(img) a');
  await expect(link).toHaveAccessibleName(`${ALT} (full-size image)`);
  const href = (await link.getAttribute('href')) ?? '';
  expect(href).toMatch(/^\/media\/[a-z0-9-]+-[0-9a-f]{12}-\d+\.png$/);
  const img = page.locator('article figure:has(img) img');
  const intrinsic = `${await img.getAttribute('width')}×${await img.getAttribute('height')}`;

  let reached = false;
  for (let i = 0; i < 80 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await link.evaluate((el) => el === document.activeElement);
  }
  expect(reached, 'the link is reachable with Tab').toBe(true);
  const [response] = await Promise.all([page.waitForResponse((r) => pathOf(r.url()) === href), page.keyboard.press('Enter')]);
  await expect(page).toHaveURL(new RegExp(`${href.replace(/[.]/g, '\\.')}$`));
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('image/png');
  // Content-hashed names never change meaning, so browsers may keep them; and a file opened on
  // its own runs nothing.
  expect(response.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  expect(response.headers()['content-security-policy']).toContain('sandbox');
  // Full size: the size the page announced.
  const opened = await page.evaluate(() => {
    const shown = document.querySelector('img');
    return `${shown?.naturalWidth}×${shown?.naturalHeight}`;
  });
  expect(opened).toBe(intrinsic);
});

test('an article without images loads exactly the same scripts as the one with an image', async ({ page }) => {
  const scripts = async (url: string) => {
    const seen = new Set<string>();
    const listener = (request: { url: () => string; resourceType: () => string }) => {
      if (request.resourceType() === 'script') seen.add(pathOf(request.url()));
    };
    page.on('request', listener);
    await page.goto(url, { waitUntil: 'networkidle' });
    page.off('request', listener);
    return [...seen].sort();
  };
  const withImage = await scripts(URL);
  const without = await scripts(`/articles/${WITHOUT_IMAGES}`);
  expect(withImage.length).toBeGreaterThan(0);
  expect(withImage).toEqual(without);
});

for (const scheme of ['light', 'dark'] as const) {
  test(`axe: no violations on the article with an image (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(URL, { waitUntil: 'networkidle' });
    await page.locator('article figure:has(img) img').scrollIntoViewIfNeeded();
    const results = await new AxeBuilder({ page }).analyze();
    expect(results.passes.length).toBeGreaterThan(10);
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });
}

test('the feed carries the image as an absolute URL of a ~1200 px PNG, with its size and alt text', async ({ request }) => {
  const rss = await (await request.get('/rss.xml')).text();
  const escapedAlt = ALT.replace(/&/g, '&amp;').replace(/"/g, '&#x22;').replace(/'/g, '&#x27;');
  // Newer articles' images come first in the feed: find this article's by its alt text.
  const img = [...rss.matchAll(/<img src="([^"]+)" width="(\d+)" height="(\d+)" alt="([^"]*)">/g)].find((m) => m[4] === escapedAlt);
  expect(img, `an <img> in rss.xml with the alt text of ${SLUG}'s image`).toBeDefined();
  const [, src = '', width, , alt] = img ?? [];
  expect(alt).toBe(escapedAlt);
  expect(width).toBe('1200');
  expect(src).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/media\/[a-z0-9-]+-[0-9a-f]{12}-1200\.png$/);
  const file = await request.get(pathOf(src));
  expect(file.status()).toBe(200);
  expect(file.headers()['content-type']).toBe('image/png');
});

// The leases article's diagram is a hand-drawn SVG: served as the file itself, never resized.
const SVG_SLUG = 'leader-election-with-leases';
const svgWritten = /^!\[([^\]]+)\]\(\.\/(\S+?\.svg) "([^"]+)"\)$/m.exec(article(SVG_SLUG).body);

test('an SVG figure is the file itself: sized from its own width and height, lazy after the first heading, inert when opened', async ({ page, request }) => {
  expect(svgWritten, `${SVG_SLUG}.mdx has an SVG written as ![alt](./… "caption")`).not.toBeNull();
  const [, alt = '', file = '', caption = ''] = svgWritten ?? [];
  const source = fs.readFileSync(path.join(CONTENT_DIR, file), 'utf8');
  const [, width, height] = /<svg[^>]*\swidth="(\d+)"[^>]*\sheight="(\d+)"/.exec(source) ?? [];
  await page.goto(`/articles/${SVG_SLUG}`);
  const img = page.locator('article figure:has(img) img');
  await expect(img).toHaveCount(1);
  await expect(img).toHaveAttribute('alt', alt);
  await expect(img).toHaveAttribute('width', width ?? 'missing');
  await expect(img).toHaveAttribute('height', height ?? 'missing');
  await expect(img).toHaveAttribute('loading', 'lazy');
  await expect(img).not.toHaveAttribute('srcset');
  await expect(page.locator('article figure:has(img) figcaption')).toHaveText(caption);
  const src = (await img.getAttribute('src')) ?? '';
  expect(src).toMatch(new RegExp(`^/media/${path.basename(file, '.svg')}-[0-9a-f]{12}\\.svg$`));
  await expect(page.locator('article figure:has(img) a')).toHaveAttribute('href', src);

  const response = await request.get(src);
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('image/svg+xml');
  expect(response.headers()['content-security-policy']).toContain('sandbox');
  expect(await response.text()).toBe(source);
});
