import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LoadOptions, loadContent } from '@/lib/content/load';
import { buildSearchAssets, type SearchAssets } from './build';
import { INDEX_FORMAT, loadIndexFile, MAX_QUERY_LENGTH, rankArticles } from './engine';
import { excerptsFor, highlight, type Segment, toHits } from './excerpt';
import { readSearchAssets, readSearchVersion, writeSearchAssets } from './files';
import { articleSections } from './sections';
import { processTerm } from './terms';

const dir = path.resolve('test/fixtures/content/search');
const now = new Date('2026-03-15T12:00:00Z');

function assetsFor(options: LoadOptions): SearchAssets {
  const sections = new Map<string, ReturnType<typeof articleSections>>();
  const { articles } = loadContent({ dir, now, ...options, onParsed: (article, tree) => sections.set(article.slug, articleSections(article, tree)) });
  return buildSearchAssets(articles, (article) => sections.get(article.slug)!);
}

const production = assetsFor({ includeDrafts: false });
// Through the file a browser downloads, not the object that built it.
const engine = loadIndexFile(JSON.parse(production.indexJson));
const slugs = (query: string) => rankArticles(engine, query).map((a) => a.slug);
const shown = (segments: Segment[]) => segments.map((s) => (s.mark ? `[${s.text}]` : s.text)).join('');

describe('what is indexed', () => {
  it('only what readers can see in production: no draft, no scheduled article', () => {
    expect(production.index.articles.map(([slug]) => slug).sort()).toEqual(['body-only', 'network-partitions', 'quorum-heading']);
    expect(Object.keys(production.texts).sort()).toEqual(['body-only', 'network-partitions', 'quorum-heading']);
    expect(slugs('zanzibarite')).toEqual([]);
    expect(slugs('quokkafication')).toEqual([]);
    expect(production.indexJson).not.toContain('zanzibarite');
    expect(JSON.stringify(production.texts)).not.toContain('quokkafication');
  });

  it('drafts and scheduled articles in development, where editors preview them', () => {
    const preview = loadIndexFile(assetsFor({ includeDrafts: true }).index);
    expect(rankArticles(preview, 'zanzibarite').map((a) => a.slug)).toEqual(['unfinished-draft']);
    expect(rankArticles(preview, 'quokkafication').map((a) => a.slug)).toEqual(['later']);
  });

  it('sections carry the heading ids the page gives them, the intro with the dek and takeaways', () => {
    const sections = production.texts['network-partitions']!;
    expect(sections.map((s) => [s.anchor, s.heading])).toEqual([
      [undefined, undefined],
      ['detecting-a-split', 'Detecting a split'],
      ['replica-lag', 'Replica lag'],
    ]);
    expect(sections[0]?.text).toBe(
      'What a cluster can promise while its nodes cannot talk.\nPick what to give up before the network picks for you.\nNodes stop hearing each other all the time.',
    );
    // Code gives identifiers (from the block and the inline code), not prose.
    expect(sections[2]?.code.split(' ')).toEqual(['pg_last_wal_replay_lsn', 'SELECT']);
    expect(sections[2]?.text).not.toContain('SELECT');
  });

  it('parsed again without the loader\'s tree (development, the runtime store), sections come out the same', () => {
    const trees = new Map<string, Parameters<typeof articleSections>[1]>();
    const { articles } = loadContent({ dir, now, includeDrafts: true, onParsed: (article, tree) => trees.set(article.slug, tree) });
    for (const article of articles) expect(articleSections(article)).toEqual(articleSections(article, trees.get(article.slug)));
    // Math is the loader's syntax too: braces inside `$…$` are not MDX expressions.
    const withMath = { body: '## Bound\n\nThe lease is $L\\frac{1-\\rho}{1+\\rho}$ long.\n\n$$\n|Q_1| + |Q_2| > N\n$$\n', headings: [{ depth: 2 as const, text: 'Bound', id: 'bound' }], description: 'd', takeaways: [] };
    expect(articleSections(withMath).map((s) => s.anchor)).toEqual([undefined, 'bound']);
  });

  it('the version changes with the content, and is stable for the same content', () => {
    expect(assetsFor({ includeDrafts: false }).version).toBe(production.version);
    expect(assetsFor({ includeDrafts: true }).version).not.toBe(production.version);
    expect(production.version).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('queries', () => {
  it('ranks title matches first, then heading matches, then the body', () => {
    expect(slugs('partition')).toEqual(['network-partitions', 'quorum-heading', 'body-only']);
  });

  it('matches prefixes as the reader types, and tolerates a typo', () => {
    expect(slugs('parti')).toEqual(['network-partitions', 'quorum-heading', 'body-only']);
    expect(slugs('partitoin')).toEqual(['quorum-heading', 'body-only']);
    expect(slugs('majorty')).toEqual(['quorum-heading']);
    // One typo below eight letters, not two: "majxrty" is two edits from majority.
    expect(slugs('majxrty')).toEqual([]);
    // Two letters match exactly, except the word being typed.
    expect(slugs('pg')).toEqual(['network-partitions']);
  });

  it('finds code identifiers whole and by their parts', () => {
    expect(slugs('pg_last_wal_replay_lsn')).toEqual(['network-partitions']);
    expect(slugs('lsn')).toEqual(['network-partitions']);
    expect(slugs('SELECT')).toEqual(['network-partitions']);
  });

  it('finds tags and the series name', () => {
    expect(slugs('networking')).toEqual(['network-partitions']);
    expect(slugs('edge notes')).toEqual(['body-only']);
  });

  it('needs every word when some article has them all, else shows the closest', () => {
    expect(slugs('majority writes')).toEqual(['quorum-heading']);
    expect(slugs('majority zzzzzz')).toEqual(['quorum-heading']);
  });

  it('returns nothing for nothing: an empty query, stop words alone, punctuation', () => {
    for (const query of ['', '   ', 'the', 'and of the', '!!! ???']) expect(slugs(query)).toEqual([]);
  });

  it('reads at most MAX_QUERY_LENGTH characters of a query', () => {
    expect(slugs(`partition ${'x'.repeat(MAX_QUERY_LENGTH * 10)}`)).toEqual(slugs('partition'));
  });
});

describe('excerpts', () => {
  const options = { sectionsOf: (slug: string) => production.texts[slug], hrefOf: (slug: string) => `/articles/${slug}`, limit: 5 };

  it('link to the section where the match is, the match marked', () => {
    const [hit] = toHits(rankArticles(engine, 'lsn'), options);
    expect(hit?.excerpts.map((e) => [e.anchor, shown(e.segments)])).toEqual([
      ['replica-lag', "… behind they are with [pg_last_wal_replay_lsn](): Compare it with the primary's position before trusting a read. Code such as a < b && c stays text."],
    ]);
  });

  it('a heading match links to its heading, marked there', () => {
    const hits = toHits(rankArticles(engine, 'partition'), options);
    const quorum = hits.find((h) => h.slug === 'quorum-heading');
    expect(quorum?.excerpts[0]?.anchor).toBe('when-a-partition-happens');
    expect(shown(quorum!.excerpts[0]!.headingSegments)).toBe('When a [partition] happens');
    // A title match is marked in the title; the opening is the excerpt when the text has no match.
    const title = hits.find((h) => h.slug === 'network-partitions');
    expect(shown(title!.titleSegments)).toBe('Surviving network [partitions]');
  });

  it('cut a window of words around the densest matches, with ellipses', () => {
    const text = `${'filler '.repeat(40)}alpha beta ${'filler '.repeat(40)}alpha`;
    const [excerpt] = excerptsFor([{ anchor: 'x', heading: 'X', text, code: '' }], ['alpha', 'beta']);
    const out = shown(excerpt!.segments);
    expect(out.startsWith('… filler filler filler filler [alpha] [beta] filler')).toBe(true);
    expect(out.endsWith(' …')).toBe(true);
    expect(out.split(/\s+/).filter((w) => w !== '…')).toHaveLength(24);
  });

  it('mark whole words as the index reads them: not inside other words, accents folded, identifiers by their parts', () => {
    const marked = (text: string, terms: string[]) => shown(highlight(text, new Set(terms)));
    expect(marked('Already read the README — “read” again', ['read', 'readme'])).toBe('Already [read] the [README] — “[read]” again');
    expect(marked('Le café est prêt', ['cafe'])).toBe('Le [café] est prêt');
    expect(marked('call pg_last_wal_replay_lsn() or replayLsn', ['lsn'])).toBe('call [pg_last_wal_replay_lsn]() or [replayLsn]');
  });

  it('never build HTML: text is segments, so markup in an article stays text', () => {
    expect(highlight('<b>partition</b> & co', new Set(['partition']))).toEqual([
      { text: '<b>', mark: false },
      { text: 'partition', mark: true },
      { text: '</b> & co', mark: false },
    ]);
  });
});

describe('terms', () => {
  it('fold case and accents, drop stop words and short numbers, split identifiers', () => {
    expect(processTerm('Café')).toBe('cafe');
    expect(processTerm('the')).toBeNull();
    expect(processTerm('42')).toBeNull();
    expect(processTerm('429')).toBe('429');
    expect(processTerm('replayLsn')).toEqual(['replaylsn', 'replay', 'lsn']);
  });
});

describe('the files next build writes', () => {
  it('round-trip through .next/search-index, the manifest naming the current version', () => {
    const distDir = fs.mkdtempSync(path.join(os.tmpdir(), 'search-index-'));
    try {
      writeSearchAssets(distDir, production);
      expect(readSearchVersion(distDir)).toBe(production.version);
      const read = readSearchAssets(distDir);
      expect(read.indexJson).toBe(production.indexJson);
      expect(read.texts).toEqual(JSON.parse(JSON.stringify(production.texts)));
      expect(fs.readdirSync(path.join(distDir, 'search-index')).sort()).toEqual(
        ['manifest.json', `${production.version}.json`, `${production.version}.texts.json`].sort(),
      );
    } finally {
      fs.rmSync(distDir, { recursive: true, force: true });
    }
  });

  it('a missing or outdated index is refused with what to do', () => {
    const distDir = fs.mkdtempSync(path.join(os.tmpdir(), 'search-index-'));
    try {
      expect(() => readSearchVersion(distDir)).toThrow(/search index missing .*next build writes it/);
      expect(() => loadIndexFile({ ...production.index, format: (INDEX_FORMAT + 1) as typeof INDEX_FORMAT })).toThrow(/rebuild/);
    } finally {
      fs.rmSync(distDir, { recursive: true, force: true });
    }
  });
});
