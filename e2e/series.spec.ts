import { expect, test } from '@playwright/test';
import { pathOf, publishedSeries } from './support/content';

/** Series: the box on every part, the series page, and what feeds, JSON-LD and the sitemap say. */

const series = publishedSeries();

test('the content has a series of at least two published parts', () => {
  expect(series.length).toBeGreaterThan(0);
  expect(series[0]?.parts.length).toBeGreaterThan(1);
});

for (const s of series) {
  for (const [index, part] of s.parts.entries()) {
    const n = index + 1;
    test(`${part.slug}: the series box says "Part ${n} of ${s.parts.length}", lists every part and marks this one`, async ({ page }) => {
      await page.goto(`/articles/${part.slug}`);
      const box = page.getByRole('navigation', { name: `Part ${n} of ${s.parts.length} in the series ${s.name}` });
      await expect(box).toBeVisible();
      await expect(box.getByRole('link', { name: s.name, exact: true })).toHaveAttribute('href', `/series/${s.slug}`);
      const items = box.getByRole('listitem');
      await expect(items).toHaveCount(s.parts.length);
      for (const [i, other] of s.parts.entries()) {
        if (i === index) {
          await expect(items.nth(i).locator('[aria-current="page"]')).toHaveText(other.title);
          await expect(items.nth(i).getByRole('link')).toHaveCount(0);
        } else {
          await expect(items.nth(i).getByRole('link', { name: other.title, exact: true })).toHaveAttribute('href', `/articles/${other.slug}`);
        }
      }
      const previous = s.parts[index - 1];
      const next = s.parts[index + 1];
      const prevLink = box.locator('a[rel="prev"]');
      const nextLink = box.locator('a[rel="next"]');
      if (previous) {
        await expect(prevLink).toHaveAccessibleName(`Previous: Part ${n - 1}, ${previous.title}`);
        await expect(prevLink).toHaveAttribute('href', `/articles/${previous.slug}`);
      } else await expect(prevLink).toHaveCount(0);
      if (next) {
        await expect(nextLink).toHaveAccessibleName(`Next: Part ${n + 1}, ${next.title}`);
        await nextLink.click();
        await expect(page).toHaveURL(`/articles/${next.slug}`);
        await expect(page.locator('h1')).toHaveText(next.title);
      } else await expect(nextLink).toHaveCount(0);
    });

    test(`${part.slug}: JSON-LD says it is part ${n} of a CreativeWorkSeries`, async ({ page }) => {
      await page.goto(`/articles/${part.slug}`);
      const data = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent()) ?? '{}') as Record<string, unknown>;
      expect(data.position).toBe(n);
      expect(data.isPartOf).toMatchObject({ '@type': 'CreativeWorkSeries', name: s.name });
      expect(pathOf((data.isPartOf as { url: string }).url)).toBe(`/series/${s.slug}`);
    });
  }

  test(`a part that is not the last offers the next part as "Next in ${s.name}"`, async ({ page }) => {
    const [first, second] = s.parts;
    await page.goto(`/articles/${first?.slug}`);
    const card = page.getByRole('navigation', { name: 'Next article' }).getByRole('link');
    await expect(card).toHaveText(`Next in ${s.name}: ${second?.title} — ${second?.description}`);
  });

  test(`/series/${s.slug} lists the parts in order, with canonical and Open Graph metadata`, async ({ page }) => {
    const response = await page.goto(`/series/${s.slug}`);
    expect(response?.status()).toBe(200);
    await expect(page.locator('h1')).toHaveText(s.name);
    await expect(page.locator('main')).toContainText(`${s.parts.length} parts, in reading order.`);
    const titles = page.locator('main ol > li h2 a');
    await expect(titles).toHaveText(s.parts.map((p) => p.title));
    for (const [i, p] of s.parts.entries()) {
      await expect(titles.nth(i)).toHaveAttribute('href', `/articles/${p.slug}`);
      await expect(page.locator('main ol > li').nth(i)).toContainText(`Part ${i + 1}`);
    }
    expect(pathOf((await page.locator('link[rel="canonical"]').getAttribute('href')) ?? '')).toBe(`/series/${s.slug}`);
    await expect(page.locator('meta[property="og:title"]')).toHaveAttribute('content', `${s.name}: a series in ${s.parts.length} parts`);
  });

  test(`feeds say "Part N of ${s.parts.length}" of ${s.name}; the sitemap lists the series page`, async ({ request }) => {
    for (const url of ['/rss.xml', '/atom.xml', '/feed.json']) {
      const text = await (await request.get(url)).text();
      for (const n of s.parts.keys()) expect(text, url).toContain(`Part ${n + 1} of ${s.parts.length} of the series`);
      expect(text, url).toContain(`Series: ${s.name}`);
    }
    expect(await (await request.get('/sitemap.xml')).text()).toContain(`/series/${s.slug}</loc>`);
  });
}

test('an unknown series is a 404', async ({ page }) => {
  expect((await page.goto('/series/no-such-series'))?.status()).toBe(404);
});
