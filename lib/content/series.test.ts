import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkContent } from './check';
import { ContentError } from './errors';
import { getAllArticles, getAllSeries, getArticle, getNextArticle, getSeries, getSeriesPlacement, type LoadOptions, loadContent } from './load';
import { seriesSlug } from './series';

const fixtures = 'test/fixtures/content/series';
const now = new Date('2026-03-15T12:00:00Z');
const file = (name: string, fileName: string) => `${fixtures}/${name}/${fileName}`;

afterEach(() => {
  vi.unstubAllEnvs();
});

function buildError(name: string): readonly string[] {
  // The path `next build` takes: generateStaticParams → getAllArticles, in production mode.
  vi.stubEnv('NODE_ENV', 'production');
  try {
    getAllArticles({ dir: path.resolve(fixtures, name), now });
  } catch (error) {
    if (error instanceof ContentError) return error.lines;
    throw error;
  }
  throw new Error(`${name} loaded without a ContentError`);
}

const CASES: [string, string[]][] = [
  [
    'duplicate-part',
    [
      `${file('duplicate-part', 'b-second.mdx')}:9 frontmatter "series.part": series "Consensus in practice": ${file('duplicate-part', 'c-also-second.mdx')} is part 2 too; every part needs its own number`,
      `${file('duplicate-part', 'c-also-second.mdx')}:9 frontmatter "series.part": series "Consensus in practice": ${file('duplicate-part', 'b-second.mdx')} is part 2 too; every part needs its own number`,
    ],
  ],
  [
    'gap',
    [
      `${file('gap', 'b-fourth.mdx')}:9 frontmatter "series.part": series "Consensus in practice" has no part 2 or 3 before this part 4; number the parts 1, 2, 3 … without gaps`,
    ],
  ],
  [
    'no-first-part',
    [
      `${file('no-first-part', 'a-second.mdx')}:9 frontmatter "series.part": series "Consensus in practice" has no part 1 before this part 2; number the parts 1, 2, 3 … without gaps`,
    ],
  ],
  [
    'draft-before-published',
    [
      `${file('draft-before-published', 'b-second.mdx')}:9 frontmatter "series.part": series "Consensus in practice" part 2 is published but part 1 is a draft (a-first), so readers would find a gap in the series; publish the earlier part first, or hold this one back too`,
    ],
  ],
  [
    'scheduled-before-published',
    [
      `${file('scheduled-before-published', 'c-third.mdx')}:9 frontmatter "series.part": series "Consensus in practice" part 3 is published but part 2 is scheduled for 2026-04-01 (b-second), so readers would find a gap in the series; publish the earlier part first, or hold this one back too`,
    ],
  ],
  [
    'names-share-a-slug',
    [
      `${file('names-share-a-slug', 'b-second.mdx')}:9 frontmatter "series.name": series "Consensus In Practice" has the slug "consensus-in-practice" of the series "Consensus in practice" (${file('names-share-a-slug', 'a-first.mdx')}); write the name the same way in every part, or give a different series its own slug`,
    ],
  ],
  [
    'name-with-two-slugs',
    [
      `${file('name-with-two-slugs', 'b-second.mdx')}:12 frontmatter "series.slug": series "Consensus in practice" has the slug "consensus" here but "consensus-in-practice" in ${file('name-with-two-slugs', 'a-first.mdx')}; every part of a series needs the same slug`,
    ],
  ],
  [
    'unusable-slug',
    [
      `${file('unusable-slug', 'a-first.mdx')}:9 frontmatter "series.name": series "合意の実践" gives no usable URL slug ("合意の実践"); add slug: with a lowercase slug such as "consensus-in-practice"`,
    ],
  ],
];

describe('series mistakes fail the build and content:check at the series field, with what to do', () => {
  it.each(CASES)('%s', async (name, expected) => {
    expect(buildError(name)).toEqual(expected);
    expect((await checkContent({ dir: path.resolve(fixtures, name), now })).problems).toEqual(expected);
  });

  it('no two kinds of mistake read the same', () => {
    const reasons = CASES.map(([, lines]) => lines.map((line) => line.replace(/^\S+ /, '').replace(/\S+\.mdx/g, 'FILE')).join('\n'));
    expect(new Set(reasons).size).toBe(CASES.length);
  });

  it('a draft earlier part is fine in development, where editors see it', () => {
    const options = { dir: path.resolve(fixtures, 'draft-before-published'), now, includeDrafts: true };
    expect(getSeries('consensus-in-practice', options)?.parts.map((a) => a.slug)).toEqual(['a-first', 'b-second']);
  });
});

describe('a valid series', () => {
  const dir = path.resolve(fixtures, 'valid');
  const production: LoadOptions = { dir, now, includeDrafts: false };
  const development: LoadOptions = { dir, now, includeDrafts: true };

  it('loads: its parts in order, a draft last part hidden from readers', async () => {
    expect((await checkContent({ dir, now })).problems).toEqual([]);
    expect(getAllSeries(production).map((s) => [s.slug, s.name, s.parts.map((a) => a.slug)])).toEqual([
      ['consensus-in-practice', 'Consensus in practice', ['part-one', 'part-two']],
      ['tips', 'Tips & tricks', ['elsewhere']],
    ]);
    expect(getSeries('consensus-in-practice', development)?.parts.map((a) => a.slug)).toEqual(['part-one', 'part-two', 'part-three']);
    expect(getSeries('nope', production)).toBeUndefined();
  });

  it('places each part: "Part 2 of 2" for readers, "of 3" for the editor previewing the draft', () => {
    const two = getArticle('part-two', production)!;
    const placed = getSeriesPlacement(two, production);
    expect({ part: placed?.part, total: placed?.total, previous: placed?.previous?.slug, next: placed?.next?.slug }).toEqual({
      part: 2,
      total: 2,
      previous: 'part-one',
      next: undefined,
    });
    expect(getSeriesPlacement(getArticle('part-two', development)!, development)?.next?.slug).toBe('part-three');
    expect(getSeriesPlacement(getArticle('standalone', production)!, production)).toBeUndefined();
  });

  it('"Next up" is the next part unless the editor named another article', () => {
    expect(getNextArticle(getArticle('part-one', production)!, production)?.slug).toBe('part-two');
    // The last visible part has no next part (part three is a draft).
    expect(getNextArticle(getArticle('part-two', production)!, production)).toBeUndefined();
    expect(getNextArticle(getArticle('standalone', production)!, production)?.slug).toBe('part-two');
  });

  it('keeps the series on the article for feeds and JSON-LD', () => {
    const { articles } = loadContent(production);
    expect(articles.find((a) => a.slug === 'elsewhere')?.series).toEqual({ name: 'Tips & tricks', part: 1, slug: 'tips' });
  });
});

describe('seriesSlug', () => {
  it('slugs the name as github-slugger does, runs of "-" collapsed; an explicit slug wins', () => {
    expect(seriesSlug({ name: 'Consensus in practice' })).toBe('consensus-in-practice');
    expect(seriesSlug({ name: 'Tips & tricks: part one' })).toBe('tips-tricks-part-one');
    expect(seriesSlug({ name: 'Anything', slug: 'chosen' })).toBe('chosen');
  });
});
