/**
 * Byte budgets of prerendered pages, read from the build (what the server sends for them): a
 * change that adds bytes past a budget fails here. Most of a page is sent about twice (its HTML,
 * then the RSC payload React hydrates from); an article's body only once, as HTML that the client
 * keeps on hydration and fetches on a client-side navigation (components/article/article-body.tsx).
 * Measure with `npm run page-weight`. The goal for the reference article is 60 KB / 15 KB gzip.
 * Measured at the last change: article 55,901 B / 11,618 gzip / RSC 25,344; home 27,995 / 5,864 / 17,738
 * (before the body was sent once: article 81,622 / 15,616 / 51,291).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { article, REFERENCE_SLUG } from '../support/content';
import { pageWeight } from '@/testing/page-weight';
import { ROOT } from './support/standalone';

const built = (file: string) => readFileSync(path.join(ROOT, '.next', 'server', 'app', file), 'utf8');

const BUDGETS = [
  // Its related articles and next-up come from the other articles, so it moves a little as content is added.
  { page: `/articles/${REFERENCE_SLUG}`, file: `articles/${REFERENCE_SLUG}.html`, html: 58_000, gzip: 12_200, rscPayload: 26_500 },
  // Every published article is a card (about 2 KB with its RSC copy): room for two more.
  { page: '/', file: 'index.html', html: 32_000, gzip: 6_600, rscPayload: 20_500 },
];

describe('page weight', () => {
  it.each(BUDGETS)('$page stays within its byte budget', ({ file, html, gzip, rscPayload }) => {
    const weight = pageWeight(built(file));
    expect(weight.html, 'HTML bytes').toBeLessThanOrEqual(html);
    expect(weight.gzip, 'gzip bytes').toBeLessThanOrEqual(gzip);
    expect(weight.rscPayload, 'inline RSC payload bytes').toBeLessThanOrEqual(rscPayload);
  });

  it('the reference article body is in the HTML once and not in the RSC payload', () => {
    // A sentence of the body's prose, as it stands in the MDX file (no markup or entity inside).
    const sentence = 'This quote captures the essence: distribution adds power, but also complexity.';
    expect(article(REFERENCE_SLUG).body).toContain(sentence);
    const html = built(`articles/${REFERENCE_SLUG}.html`);
    const scripts = [...html.matchAll(/<script\b[^>]*>[\s\S]*?<\/script>/g)].map(([script]) => script);
    const occurrences = (text: string) => text.split(sentence).length - 1;
    expect(occurrences(html), 'in the whole page').toBe(1);
    expect(occurrences(scripts.join('\n')), 'in its scripts (the RSC payload)').toBe(0);
    // And the RSC payload for client-side navigation (.rsc) does not carry it either.
    expect(occurrences(built(`articles/${REFERENCE_SLUG}.rsc`)), 'in the .rsc payload').toBe(0);
  });

  it('the reference article carries no per-token inline colours', () => {
    expect(built(`articles/${REFERENCE_SLUG}.html`)).not.toContain('--shiki-');
  });
});
