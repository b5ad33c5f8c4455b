import { expect, type Page, test } from '@playwright/test';
import {
  article,
  callouts,
  diagramLabel,
  fence,
  fences,
  formatDay,
  headings,
  pathOf,
  REFERENCE_SLUG,
  tables,
} from './support/content';

/**
 * The reference article (/work/shared/reference/understanding-distributed-systems.txt) element
 * by element. Expected text comes from content/understanding-distributed-systems.mdx.
 */

const URL = `/articles/${REFERENCE_SLUG}`;
const ref = article(REFERENCE_SLUG);

const CODE_LANGUAGES = [
  { lang: 'sql', label: 'SQL' },
  { lang: 'python', label: 'Python' },
  { lang: 'go', label: 'Go' },
  { lang: 'ts', label: 'TypeScript' },
  { lang: 'yaml', label: 'YAML' },
] as const;

/** A heading's own text, without the "#" anchor link inside it. */
async function headingTexts(page: Page) {
  return page.locator('article .prose').evaluate((prose) =>
    [...prose.querySelectorAll('h2, h3')].map((h) => ({
      depth: Number(h.tagName.slice(1)),
      id: h.id,
      text: [...h.childNodes]
        .filter((node) => !(node instanceof Element && node.tagName === 'A'))
        .map((node) => node.textContent)
        .join('')
        .trim(),
      anchor: h.querySelector('a')?.getAttribute('href') ?? null,
    })),
  );
}

test.describe('reference article', () => {
  test.beforeEach(async ({ page }) => {
    const response = await page.goto(URL);
    expect(response?.status()).toBe(200);
  });

  test('title is the only h1, with the dek, author, dates and reading time', async ({ page }) => {
    await expect(page.locator('h1')).toHaveCount(1);
    await expect(page.locator('h1')).toHaveText(ref.title);
    await expect(page).toHaveTitle(new RegExp(`^${ref.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

    const header = page.locator('article header').first();
    await expect(header.locator('[data-dek]')).toHaveText(ref.description);
    await expect(header).toContainText(`By ${ref.author}`);

    const published = header.locator(`time[datetime="${ref.date}"]`);
    await expect(published).toHaveText(formatDay(ref.date));
    await expect(header.getByText(/^Published/)).toContainText(formatDay(ref.date));
    expect(ref.updated, 'the reference article has an updated date').toBeDefined();
    const updated = header.locator(`time[datetime="${ref.updated}"]`);
    await expect(updated).toHaveText(formatDay(ref.updated as string));
    await expect(header.getByText(/^Updated/)).toContainText(formatDay(ref.updated as string));

    await expect(header.getByText(/^\d+ min read$/)).toBeVisible();
  });

  test('tags link to their tag pages', async ({ page }) => {
    const tags = page.locator('article header').getByRole('list', { name: 'Tags' }).getByRole('link');
    await expect(tags).toHaveText(ref.tags.map((tag) => `#${tag}`));
    for (const [i, tag] of ref.tags.entries()) {
      await expect(tags.nth(i)).toHaveAttribute('href', `/tags/${tag}`);
    }
    await tags.first().click();
    await expect(page).toHaveURL(`/tags/${ref.tags[0]}`);
    await expect(page.locator('h1')).toHaveText(`#${ref.tags[0]}`);
    await expect(page.getByRole('link', { name: ref.title, exact: true })).toBeVisible();
  });

  test('key takeaways: the three takeaways in order, each with an → marker', async ({ page }) => {
    const box = page.getByRole('region', { name: 'Key takeaways' });
    await expect(box.getByRole('heading', { name: 'Key takeaways' })).toBeVisible();
    const items = box.getByRole('listitem');
    expect(ref.takeaways).toHaveLength(3);
    await expect(items).toHaveText(ref.takeaways.map((t) => `→${t}`));
    for (let i = 0; i < ref.takeaways.length; i++) {
      // The arrow is decoration: hidden from screen readers, but on screen.
      await expect(items.nth(i).locator('[aria-hidden="true"]')).toHaveText('→');
    }
  });

  test('h2/h3 headings carry ids and anchor links, matching the MDX headings', async ({ page }) => {
    const expected = headings(REFERENCE_SLUG);
    expect(expected.length).toBeGreaterThanOrEqual(10);
    const rendered = await headingTexts(page);
    expect(rendered).toEqual(expected.map((h) => ({ depth: h.depth, id: h.id, text: h.text, anchor: `#${h.id}` })));
    // Ids are unique on the page, so every anchor lands on its own heading.
    const ids = await page.locator('[id]').evaluateAll((els) => els.map((e) => e.id));
    for (const h of expected) expect(ids.filter((id) => id === h.id), h.id).toHaveLength(1);

    const anchor = page.locator(`h3#${expected.find((h) => h.depth === 3)?.id} a`);
    await expect(anchor).toHaveAccessibleName('Link to this section');
  });

  test('desktop: the sidebar table of contents lists the headings and its links jump', async ({ page }) => {
    const expected = headings(REFERENCE_SLUG);
    const sidebar = page.getByRole('navigation', { name: 'On this page' });
    await expect(sidebar).toBeVisible();
    // The phone version is not shown at desktop width.
    await expect(page.locator('details', { hasText: 'On this page' })).toBeHidden();

    const links = sidebar.getByRole('link');
    await expect(links).toHaveText(expected.map((h) => h.text));
    for (const [i, h] of expected.entries()) await expect(links.nth(i)).toHaveAttribute('href', `#${h.id}`);

    const target = expected.at(-1) as (typeof expected)[number];
    const heading = page.locator(`h2#${target.id}`);
    await expect(heading).not.toBeInViewport();
    await links.last().click();
    await expect(page).toHaveURL(new RegExp(`#${target.id}$`));
    await expect(heading).toBeInViewport();
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(500);
  });

  test.describe('at 375px', () => {
    test.use({ viewport: { width: 375, height: 800 } });

    test('"On this page" is a collapsed <details> that opens on click, and its links jump', async ({ page }) => {
      const expected = headings(REFERENCE_SLUG);
      await expect(page.getByRole('navigation', { name: 'On this page' })).toBeHidden();
      const details = page.locator('details', { hasText: 'On this page' });
      await expect(details).toBeVisible();
      await expect(details).not.toHaveAttribute('open');
      const nav = details.getByRole('navigation', { name: 'Table of contents' });
      await expect(nav).toBeHidden();

      await details.locator('summary').click();
      await expect(details).toHaveAttribute('open');
      await expect(nav).toBeVisible();
      await expect(nav.getByRole('link')).toHaveText(expected.map((h) => h.text));

      const target = expected.find((h) => h.text === 'The CAP Theorem') ?? (expected.at(-2) as (typeof expected)[number]);
      await expect(page.locator(`#${target.id}`)).not.toBeInViewport();
      await nav.getByRole('link', { name: target.text, exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`#${target.id}$`));
      await expect(page.locator(`#${target.id}`)).toBeInViewport();
    });
  });

  test('the Lamport quote is a figure with blockquote and figcaption', async ({ page }) => {
    const quote = /^> "(.+)"$/m.exec(ref.body)?.[1];
    expect(quote, 'the MDX has the quotation').toBeDefined();
    const figure = page.locator('figure').filter({ has: page.locator('blockquote') });
    await expect(figure).toHaveCount(1);
    await expect(figure.locator('blockquote')).toHaveText(`"${quote}"`);
    await expect(figure.locator('figcaption')).toHaveText('— Leslie Lamport');
    // The attribution is not part of the quotation.
    await expect(figure.locator('blockquote')).not.toContainText('Lamport');
  });

  test('both tables render every row of the MDX: 8 fallacies and the 4 consistency models', async ({ page }) => {
    const expected = tables(REFERENCE_SLUG);
    expect(expected).toHaveLength(2);
    const [fallacies, comparison] = expected as [string[][], string[][]];
    expect(fallacies.length - 1).toBe(8);
    expect(comparison.length - 1).toBe(4);

    const rendered = page.locator('article .prose table');
    await expect(rendered).toHaveCount(2);
    for (const [i, rows] of expected.entries()) {
      const table = rendered.nth(i);
      await expect(table.locator('thead th')).toHaveText(rows[0] as string[]);
      const body = table.locator('tbody tr');
      await expect(body).toHaveCount(rows.length - 1);
      for (const [r, cells] of rows.slice(1).entries()) await expect(body.nth(r).locator('td')).toHaveText(cells);
    }
    await expect(rendered.nth(1).locator('tbody tr td:first-child')).toHaveText([
      'Strong',
      'Eventual',
      'Causal',
      'Read-Your-Writes',
    ]);
  });

  test('code blocks: language label, build-time highlighting, exact source text', async ({ page }) => {
    for (const { lang, label } of CODE_LANGUAGES) {
      const block = page.locator('[data-code-block]').filter({ has: page.locator(`pre[data-language="${lang}"]`) });
      await expect(block, lang).toHaveCount(1);
      await expect(block.getByText(label, { exact: true })).toBeVisible();
      await expect(block.getByRole('button', { name: 'Copy' })).toBeVisible();

      const code = block.locator('pre code');
      // rehype-pretty-code gives an empty line a single space so it keeps its height in the grid;
      // on screen that is the same blank line. (What the Copy button copies is copy.spec.ts.)
      const shown = ((await code.textContent()) ?? '').split('\n').map((line) => (line === ' ' ? '' : line));
      expect(shown.join('\n')).toBe(fence(REFERENCE_SLUG, lang).code);
      await expect(code.locator('[data-line]')).toHaveCount(fence(REFERENCE_SLUG, lang).code.split('\n').length);

      // Tokens carry a colour class (lib/mdx/shiki-token-classes.ts), never inline colours.
      expect(await code.locator('[style]').count(), `${lang}: inline styles`).toBe(0);
      const tokens = code.locator('[data-line] > span[class]');
      expect(await tokens.count(), `${lang}: highlighted tokens`).toBeGreaterThan(3);
      // Real highlighting, applied by the stylesheet: the tokens do not all share one colour,
      // and none is painted the default text colour of the code.
      const painted = await tokens.evaluateAll((spans) => {
        const base = getComputedStyle(spans[0]?.closest('code') as Element).color;
        const colours = new Set(spans.map((s) => getComputedStyle(s).color));
        return { distinct: colours.size, base: colours.has(base) };
      });
      expect(painted.distinct, `${lang}: computed colours`).toBeGreaterThan(1);
      expect(painted.base, `${lang}: a token in the default colour`).toBe(false);
    }
  });

  test('no syntax highlighter is shipped to the browser', async ({ page }) => {
    const scripts: { url: string; body: string }[] = [];
    page.on('response', async (response) => {
      const type = response.headers()['content-type'] ?? '';
      if (!type.includes('javascript')) return;
      scripts.push({ url: response.url(), body: await response.text().catch(() => '') });
    });
    await page.goto(URL, { waitUntil: 'networkidle' });
    expect(scripts.length, 'the page does load its JavaScript bundles').toBeGreaterThan(0);
    for (const { url, body } of scripts) {
      expect(body, url).not.toMatch(/shiki|oniguruma|onig\.wasm|scopeName|tmLanguage|rehype-pretty-code/i);
    }
    const inline = await page.locator('script:not([src])').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
    for (const text of inline) expect(text).not.toMatch(/createHighlighter|oniguruma|scopeName/);
  });

  test('both diagrams are role="img" with a label, and keep their box-drawing lines intact', async ({ page }) => {
    const expected = fences(REFERENCE_SLUG, 'diagram');
    expect(expected).toHaveLength(2);
    const diagrams = page.locator('article [role="img"]');
    await expect(diagrams).toHaveCount(expected.length);
    for (const [i, source] of expected.entries()) {
      const diagram = diagrams.nth(i);
      const label = diagramLabel(source);
      expect(label.length).toBeGreaterThan(20);
      await expect(diagram).toHaveAttribute('aria-label', label);
      await expect(diagram).toHaveAccessibleName(label);
      expect(source.code).toMatch(/[│┼─]/);
      expect(await diagram.locator('pre').textContent()).toBe(source.code);
    }
  });

  test('"Key insight:" and "Pro tip:" callouts with their text', async ({ page }) => {
    const expected = callouts(REFERENCE_SLUG);
    const labels: Record<string, string> = { insight: 'Key insight:', tip: 'Pro tip:' };
    expect(expected.map((c) => c.type)).toEqual(['insight', 'tip']);
    for (const { type, text } of expected) {
      const callout = page.locator(`[role="note"][data-callout="${type}"]`);
      await expect(callout).toHaveCount(1);
      await expect(callout.locator('strong')).toHaveText(labels[type] as string);
      await expect(callout).toHaveText(`${labels[type]} ${text}`);
    }
  });

  test('the inline link goes to the zero-downtime article', async ({ page }) => {
    const link = page.locator('article .prose p').getByRole('link', { name: 'Zero-downtime deployments', exact: true });
    await expect(link).toHaveAttribute('href', '/articles/zero-downtime-deployments');
    await link.click();
    await expect(page).toHaveURL('/articles/zero-downtime-deployments');
    await expect(page.locator('h1')).toHaveText(article('zero-downtime-deployments').title);
  });

  test('"Next up:" names the next article with its description', async ({ page }) => {
    expect(ref.next).toBe('zero-downtime-deployments');
    const next = article(ref.next as string);
    const card = page.getByRole('navigation', { name: 'Next article' }).getByRole('link');
    await expect(card).toHaveText(`Next up: ${next.title} — ${next.description}`);
    await expect(card).toHaveAttribute('href', `/articles/${next.slug}`);
  });

  test('"Related articles": up to 3, the frontmatter picks first, all published', async ({ page }) => {
    const section = page.getByRole('region', { name: 'Related articles' });
    const titles = section.getByRole('heading', { level: 3 });
    const count = await titles.count();
    expect(count).toBeGreaterThanOrEqual(ref.related.length);
    expect(count).toBeLessThanOrEqual(3);
    const rendered = await titles.allTextContents();
    expect(rendered.slice(0, ref.related.length)).toEqual(ref.related.map((slug) => article(slug).title));
    expect(new Set(rendered).size).toBe(rendered.length);
    expect(rendered).not.toContain(ref.title);
    const hrefs = await titles.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
    for (const href of hrefs) {
      const slug = href.replace('/articles/', '');
      expect(article(slug).published, `${slug} is published`).toBe(true);
    }
  });

  test('newsletter box and the RSS prompt', async ({ page }) => {
    const box = page.getByRole('region', { name: 'stay in the loop' });
    await expect(box).toBeVisible();
    await expect(box).toContainText('get notified when new articles drop. no spam, ever.');
    const rss = page.getByRole('link', { name: 'Subscribe via RSS →' });
    await expect(rss).toHaveAttribute('href', '/rss.xml');
    await expect(page.locator('p', { has: rss })).toHaveText('Prefer RSS? Subscribe via RSS →');
    // Below the article, after the related articles.
    const order = await page.evaluate(() => {
      const related = document.querySelector('#related-heading');
      const newsletter = document.querySelector('#newsletter-heading');
      return related && newsletter ? related.compareDocumentPosition(newsletter) & Node.DOCUMENT_POSITION_FOLLOWING : 0;
    });
    expect(order, 'the newsletter box follows the related articles').toBe(4);
  });

  test('JSON-LD, canonical, Open Graph and Twitter metadata', async ({ page }) => {
    const jsonLd = await page.locator('script[type="application/ld+json"]').allTextContents();
    expect(jsonLd).toHaveLength(1);
    const data = JSON.parse(jsonLd[0] as string) as Record<string, unknown>;
    expect(data['@type']).toBe('Article');
    expect(data.headline).toBe(ref.title);
    expect(data.datePublished).toBe(ref.date);
    expect(data.dateModified).toBe(ref.updated);
    expect((data.author as { name: string }).name).toBe(ref.author);

    const canonical = await page.locator('link[rel="canonical"]').getAttribute('href');
    expect(pathOf(canonical ?? '')).toBe(URL);
    await expect(page.locator('meta[property="og:title"]')).toHaveAttribute('content', ref.title);
    await expect(page.locator('meta[property="og:type"]')).toHaveAttribute('content', 'article');
    const ogImage = await page.locator('meta[property="og:image"]').getAttribute('content');
    expect(pathOf(ogImage ?? '')).toBe(`${URL}/opengraph-image`);
    await expect(page.locator('meta[name="twitter:card"]')).toHaveAttribute('content', 'summary_large_image');
  });
});

// Pages with their own canonical URL still advertise the feeds (Next replaces, not merges, alternates).
for (const url of [`/articles/${REFERENCE_SLUG}`, '/articles', '/tags/distributed-systems']) {
  test(`${url} advertises the RSS feed with <link rel="alternate">`, async ({ page }) => {
    await page.goto(url);
    const alternate = page.locator('link[rel="alternate"][type="application/rss+xml"]');
    await expect(alternate).toHaveCount(1);
    expect(pathOf((await alternate.getAttribute('href')) ?? '')).toBe('/rss.xml');
  });
}
