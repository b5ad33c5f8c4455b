/**
 * 7. Search: what the index costs at N articles, measured in this process with the code the build
 * and the server run (no server needed: a query on /search is this work plus rendering).
 *
 *   - build time added per article: what scripts/build-search-index.ts does in `next build`
 *     (read and parse the content, cut sections, index, write), per phase;
 *   - index size on disk and as downloaded (gzip), and the per-article sections the box fetches;
 *   - server query time over a fixed query set (words, prefixes, typos, phrases, identifiers, a
 *     tag, a miss): rankArticles plus the excerpts of the first page (RESULTS_PER_PAGE), the
 *     index loaded from its file as the server loads it.
 *
 * Two corpora of N articles: the build-scaling generator's (the reference body under N titles:
 * every article has the same words, so gzip finds long repeats and flatters the index), and one
 * whose bodies cycle through the published articles (several different texts): closer to real
 * content for the index's size.
 */
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import { parseFrontmatter } from '../lib/content/frontmatter';
import { loadContent } from '../lib/content/load';
import { buildSearchAssets } from '../lib/search/build';
import { loadIndexFile, rankArticles } from '../lib/search/engine';
import { RESULTS_PER_PAGE, toHits } from '../lib/search/excerpt';
import { writeSearchAssets } from '../lib/search/files';
import { type ArticleSection, articleSections } from '../lib/search/sections';
import { REPO_ROOT } from './config';
import type { BenchContext } from './context';
import { generatedSlug, writeGeneratedArticles } from './generate-articles';
import { bytes, num, table } from './lib/stats';

/** The fixed query set: each kind a reader types. */
export const QUERIES: { query: string; kind: string }[] = [
  { query: 'partition', kind: 'word' },
  { query: 'consistency', kind: 'word' },
  { query: 'latency', kind: 'word' },
  { query: 'replica', kind: 'word' },
  { query: 'monolith', kind: 'word' },
  { query: 'parti', kind: 'prefix' },
  { query: 'consi', kind: 'prefix' },
  { query: 'rep', kind: 'prefix' },
  { query: 'ca', kind: 'prefix (2 letters, as typed)' },
  { query: 'partiton', kind: 'typo' },
  { query: 'consistancy', kind: 'typo' },
  { query: 'eventualy', kind: 'typo' },
  { query: 'network partition', kind: 'phrase' },
  { query: 'eventual consistency', kind: 'phrase' },
  { query: 'read your writes', kind: 'phrase' },
  { query: 'strong consistency is expensive', kind: 'phrase' },
  { query: 'circuit breaker', kind: 'phrase' },
  { query: 'CircuitBreaker', kind: 'identifier' },
  { query: 'retry_with_backoff', kind: 'identifier' },
  { query: 'architecture', kind: 'tag' },
  { query: 'zzqxwv', kind: 'miss' },
];

type Corpus = { name: string; dir: string };

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const ms = (value: number) => `${num(value, value < 10 ? 2 : 0)} ms`;
const gz = (data: string) => gzipSync(data, { level: 9 }).length;

/** N articles whose bodies cycle through the published ones, links pointing at generated slugs. */
async function writeMixedArticles(dir: string, count: number): Promise<void> {
  const { articles } = loadContent({ dir: path.join(REPO_ROOT, 'content'), includeDrafts: false });
  const sources = await Promise.all(
    articles.map(async (a) => parseFrontmatter(await readFile(path.join(REPO_ROOT, a.file), 'utf8'), a.file)),
  );
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // The bodies keep their relative image paths (./<slug>/file.png): copy each article's folder beside them.
  const contentDir = path.join(REPO_ROOT, 'content');
  for (const entry of await readdir(contentDir, { withFileTypes: true })) {
    if (entry.isDirectory()) await cp(path.join(contentDir, entry.name), path.join(dir, entry.name), { recursive: true });
  }
  const newest = Date.UTC(2026, 0, 31);
  for (let i = 1; i <= count; i += 1) {
    const source = sources[i % sources.length]!;
    const data = source.data!;
    const linked = generatedSlug((i % count) + 1);
    // Links to other articles (with or without #heading) go to the next generated one, without the hash.
    const body = source.body.replace(/\]\(\/articles\/[a-z0-9-]+(#[^)]*)?\)/g, `](/articles/${linked})`);
    const frontmatter = {
      title: `${data.title} (${i})`,
      description: data.description,
      date: new Date(newest - i * 86_400_000).toISOString().slice(0, 10),
      author: data.author,
      tags: data.tags,
      takeaways: data.takeaways,
    };
    await writeFile(path.join(dir, `${generatedSlug(i)}.mdx`), `---\n${stringify(frontmatter, { lineWidth: 0 })}---\n${body}`);
  }
}

type Measured = {
  corpus: string;
  articles: number;
  load: number;
  sections: number;
  index: number;
  write: number;
  indexBytes: number;
  indexGzip: number;
  textsBytes: number;
  fragmentGzipMedian: number;
  loadIndex: number;
  times: number[];
  /** MiniSearch and the ranking alone, without excerpts. */
  rankTimes: number[];
  perQuery: Map<string, number[]>;
};

async function measure(corpus: Corpus, rounds: number, outDir: string): Promise<Measured> {
  const count = (await readdir(corpus.dir)).filter((f) => f.endsWith('.mdx')).length;
  // The work of scripts/build-search-index.ts, phase by phase.
  let sectionsMs = 0;
  const sections = new Map<string, ArticleSection[]>();
  let t = performance.now();
  const { articles } = loadContent({
    dir: corpus.dir,
    includeDrafts: false,
    onParsed: (article, tree) => {
      const s = performance.now();
      sections.set(article.slug, articleSections(article, tree));
      sectionsMs += performance.now() - s;
    },
  });
  const loadMs = performance.now() - t - sectionsMs;
  t = performance.now();
  const assets = buildSearchAssets(articles, (a) => sections.get(a.slug)!);
  const indexMs = performance.now() - t;
  t = performance.now();
  await rm(outDir, { recursive: true, force: true });
  writeSearchAssets(outDir, assets);
  const writeMs = performance.now() - t;

  // The server: parse the file and load it, once per process.
  t = performance.now();
  const engine = loadIndexFile(JSON.parse(assets.indexJson));
  const loadIndexMs = performance.now() - t;

  const fragments = Object.values(assets.texts).map((s) => gz(JSON.stringify(s))).sort((a, b) => a - b);
  const search = (query: string) =>
    toHits(rankArticles(engine, query), { sectionsOf: (slug) => assets.texts[slug], hrefOf: (slug) => `/articles/${slug}`, limit: RESULTS_PER_PAGE });
  for (const { query } of QUERIES) search(query); // warm-up: JIT, and MiniSearch's lazy structures
  const times: number[] = [];
  const rankTimes: number[] = [];
  const perQuery = new Map<string, number[]>();
  for (let round = 0; round < rounds; round += 1) {
    for (const { query } of QUERIES) {
      const r = performance.now();
      rankArticles(engine, query);
      rankTimes.push(performance.now() - r);
      const s = performance.now();
      const hits = search(query);
      const elapsed = performance.now() - s;
      if (query === 'partition' && hits.length === 0) throw new Error(`${corpus.name}: "partition" found nothing`);
      times.push(elapsed);
      perQuery.set(query, [...(perQuery.get(query) ?? []), elapsed]);
    }
  }
  return {
    corpus: corpus.name,
    articles: count,
    load: loadMs,
    sections: sectionsMs,
    index: indexMs,
    write: writeMs,
    indexBytes: Buffer.byteLength(assets.indexJson),
    indexGzip: gz(assets.indexJson),
    textsBytes: Buffer.byteLength(JSON.stringify(assets.texts)),
    fragmentGzipMedian: fragments[Math.floor(fragments.length / 2)] ?? 0,
    loadIndex: loadIndexMs,
    times: times.sort((a, b) => a - b),
    rankTimes: rankTimes.sort((a, b) => a - b),
    perQuery,
  };
}

export async function searchBenchmark(ctx: BenchContext): Promise<string> {
  const { articles: n, rounds } = ctx.config.search;
  const base = path.join(ctx.config.workDir, 'search');
  const corpora: Corpus[] = [
    { name: 'generated (one body, N titles)', dir: path.join(base, 'generated') },
    { name: 'mixed (bodies of the published articles in turn)', dir: path.join(base, 'mixed') },
  ];
  ctx.log(`search: writing ${n} generated and ${n} mixed articles`);
  await writeGeneratedArticles(corpora[0]!.dir, n);
  await writeMixedArticles(corpora[1]!.dir, n);
  const results: Measured[] = [];
  for (const [i, corpus] of corpora.entries()) {
    ctx.log(`search: ${corpus.name}`);
    results.push(await measure(corpus, rounds, path.join(base, `dist-${i}`)));
  }
  const perArticle = (value: number, m: Measured) => ms(value / m.articles);
  const added = (m: Measured) => m.sections + m.index + m.write;
  const out = [
    `${n} articles per corpus; ${QUERIES.length} queries × ${rounds} rounds after one warm-up round. Sizes: the index file ` +
      'browsers download (gzip -9; Next.js compresses responses on the fly at a lower level), the sections file the server ' +
      'keeps on disk, and the median sections fragment the header box fetches per result shown.',
    '',
    table(
      ['Corpus', 'Query median', 'Query p95', 'Of which ranking (median)', 'Slowest query', 'Index file', 'Index gzip (downloaded)', 'Sections file (server)', 'Sections per result (gzip)', 'Index load (server, once)'],
      results.map((m) => {
        const slowest = [...m.perQuery].map(([q, t]) => [q, t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!] as const).sort((a, b) => b[1] - a[1])[0];
        return [
          m.corpus,
          ms(percentile(m.times, 50)),
          ms(percentile(m.times, 95)),
          ms(percentile(m.rankTimes, 50)),
          slowest ? `"${slowest[0]}" ${ms(slowest[1])}` : 'n/a',
          bytes(m.indexBytes),
          bytes(m.indexGzip),
          bytes(m.textsBytes),
          bytes(m.fragmentGzipMedian),
          ms(m.loadIndex),
        ];
      }),
    ),
    '',
    'Build time the search index adds (scripts/build-search-index.ts, run once per `next build` between compiling and prerendering), per article:',
    '',
    table(
      ['Corpus', 'Sections (from the loader\'s tree)', 'Index + serialise', 'Write', 'Added by search, per article', 'Its own content load, per article', 'Whole step, per article'],
      results.map((m) => [
        m.corpus,
        perArticle(m.sections, m),
        perArticle(m.index, m),
        perArticle(m.write, m),
        perArticle(added(m), m),
        perArticle(m.load, m),
        perArticle(added(m) + m.load, m),
      ]),
    ),
    '',
    'The step runs in its own process, which reads and validates the content once more (the build workers read it too); that load is the larger share. ' +
      'Targets: query median ≤ 5 ms and index ≤ 1 MB gzip at 1,000 articles.',
    '',
    '<details><summary>Median time per query</summary>',
    '',
    table(
      ['Query', 'Kind', ...results.map((m) => m.corpus)],
      QUERIES.map(({ query, kind }) => [
        `\`${query}\``,
        kind,
        ...results.map((m) => {
          const t = [...(m.perQuery.get(query) ?? [])].sort((a, b) => a - b);
          return ms(t[Math.floor(t.length / 2)] ?? Number.NaN);
        }),
      ]),
    ),
    '',
    '</details>',
  ];
  return out.join('\n');
}
