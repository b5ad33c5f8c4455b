/**
 * Byte budgets of prerendered pages, read from the build (what the server sends for them): a
 * change that adds bytes past a budget fails here. Every byte of an article is sent about twice
 * (its HTML, then the RSC payload React hydrates from), so markup per node counts double.
 * Measure with `npm run page-weight`. The goal for the reference article is 60 KB / 15 KB
 * gzip; the budgets are where the page is today plus a little room, to be lowered as it gets there.
 * Measured at the last change: article 81,622 B / 15,616 gzip / RSC 51,291; home 27,995 / 5,870 / 17,738.
 * Where the rest is: the article body is ~16 KB of markup and ~27 KB of payload. One HTML string for the
 * whole body would be ~25 KB of payload (every `<` is `\u003c` in the script), so 60 KB needs the body
 * sent once: HTML the client adopts on hydration and fetches on client navigation, not a change of shape.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_SLUG } from '../support/content';
import { pageWeight } from '@/testing/page-weight';
import { ROOT } from './support/standalone';

const built = (file: string) => readFileSync(path.join(ROOT, '.next', 'server', 'app', file), 'utf8');

const BUDGETS = [
  // Its related articles and next-up come from the other articles, so it moves a little as content is added.
  { page: `/articles/${REFERENCE_SLUG}`, file: `articles/${REFERENCE_SLUG}.html`, html: 83_000, gzip: 16_000, rscPayload: 52_500 },
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

  it('the reference article carries no per-token inline colours', () => {
    expect(built(`articles/${REFERENCE_SLUG}.html`)).not.toContain('--shiki-');
  });
});
