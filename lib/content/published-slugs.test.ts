import { describe, expect, it } from 'vitest';
import { getAllArticles } from './load';
import { publishedSlugs } from './published-slugs';

describe('publishedSlugs (what next.config.ts serves as files)', () => {
  it('is exactly what the loader publishes in a production build', () => {
    const loader = getAllArticles({ includeDrafts: false, includeScheduled: false }).map((a) => a.slug).sort();
    expect(publishedSlugs()).toEqual(loader);
  });

  it('leaves out articles dated after "today"', () => {
    const all = getAllArticles({ includeDrafts: false, includeScheduled: false });
    const newest = all.map((a) => a.date).sort().at(-1)!;
    const dayBefore = new Date(Date.parse(`${newest}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    expect(publishedSlugs(undefined, dayBefore)).not.toContain(all.find((a) => a.date === newest)!.slug);
  });
});
