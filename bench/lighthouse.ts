/**
 * 3. Lighthouse, mobile preset (Lighthouse's default: a Moto G Power-class screen, simulated slow
 * 4G and 4× CPU slowdown computed from the trace, so nothing is downloaded for throttling), in
 * Debian's Chromium (no browser can be downloaded here). Each run gets a fresh browser, pages
 * alternate run by run, and the median of the runs is reported: Lighthouse's own advice for a
 * noisy machine. Four pages (home, the reference article, a tag page, the archive), each against the
 * issue's targets: 100 in every category, LCP ≤ 1.2 s, TBT ≤ 50 ms, CLS 0. Beside them, the empty
 * Next.js page (same Next.js, same config) in the same rounds: the framework's own floor on this
 * machine, so a miss the empty page shares is read as the framework's, not the project's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../testing/chromium';
import type { BenchContext } from './context';
import { BenchSkipped, REFERENCE_SLUG } from './context';
import { type GraphBytes, simulatedLcpGraph } from './lib/lantern-graph';
import { startAppServer } from './lib/workspace';
import { bytes, median, num, spread, summarize, table } from './lib/stats';

const CHROME_FLAGS = ['--headless=new', ...CHROMIUM_FLAGS];
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;

type Run = {
  scores: Record<(typeof CATEGORIES)[number], number>;
  lcpMs: number;
  cls: number;
  tbtMs: number;
  /** The unthrottled load's own LCP, and the transfer bytes (all, scripts) that finished before it. */
  observed: { lcpMs: number; bytes: number; scriptBytes: number };
  /** The requests the simulated LCP waited for (Lantern's graph), by type; undefined if Lighthouse's internals moved. */
  graph?: GraphBytes;
};

async function runOnce(url: string): Promise<Run> {
  const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM_PATH, chromeFlags: CHROME_FLAGS, logLevel: 'silent' });
  try {
    const result = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: [...CATEGORIES] });
    if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
    const { lhr } = result;
    if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
    const score = (id: string) => {
      const value = lhr.categories[id]?.score;
      if (typeof value !== 'number') throw new Error(`Lighthouse gave no ${id} score for ${url}`);
      return Math.round(value * 100);
    };
    const metric = (id: string) => {
      const value = lhr.audits[id]?.numericValue;
      if (typeof value !== 'number') throw new Error(`Lighthouse gave no ${id} for ${url}`);
      return value;
    };
    return {
      scores: {
        performance: score('performance'),
        accessibility: score('accessibility'),
        'best-practices': score('best-practices'),
        seo: score('seo'),
      },
      lcpMs: metric('largest-contentful-paint'),
      cls: metric('cumulative-layout-shift'),
      tbtMs: metric('total-blocking-time'),
      observed: observedPaint(lhr),
      // A diagnostic from Lighthouse's internals: a version that moves them costs this row, not the run.
      graph: await simulatedLcpGraph(result).catch(() => undefined),
    };
  } finally {
    await chrome.kill();
  }
}

type Lhr = { audits: Record<string, { details?: unknown } | undefined> };

/**
 * Simulated LCP replays every request that finished before the real (unthrottled) LCP at slow-4G
 * speed, scripts included unless the trace shows them evaluated after it. On loopback the
 * framework's chunks finish in well under 100 ms, so a page that paints later carries them in its
 * LCP: these figures say how much.
 */
function observedPaint(lhr: Lhr): Run['observed'] {
  const metrics = (lhr.audits.metrics?.details as { items?: { observedLargestContentfulPaint?: number }[] } | undefined)?.items?.[0];
  const lcpMs = metrics?.observedLargestContentfulPaint ?? Number.NaN;
  type Request = { networkEndTime?: number; transferSize?: number; resourceType?: string };
  const requests = (lhr.audits['network-requests']?.details as { items?: Request[] } | undefined)?.items ?? [];
  const before = requests.filter((r) => (r.networkEndTime ?? Number.POSITIVE_INFINITY) <= lcpMs);
  const sum = (rs: Request[]) => rs.reduce((total, r) => total + (r.transferSize ?? 0), 0);
  return { lcpMs, bytes: sum(before), scriptBytes: sum(before.filter((r) => r.resourceType === 'Script')) };
}

/** The bar for each page: every category 100, and the three Core Web Vitals inside these limits. */
export const TARGETS = { score: 100, lcpMs: 1_200, tbtMs: 50, cls: 0 } as const;

/** The pages the targets are for: the home page, the reference article, a tag page and the archive. */
export const LIGHTHOUSE_PAGES = [
  { name: 'Home `/`', path: '/' },
  { name: `Article \`/articles/${REFERENCE_SLUG}\``, path: `/articles/${REFERENCE_SLUG}` },
  { name: 'Tag `/tags/distributed-systems`', path: '/tags/distributed-systems' },
  { name: 'Archive `/articles`', path: '/articles' },
] as const;

type Figure = { label: string; target: string; of: (r: Run) => number; decimals?: number; meets: (median: number) => boolean };

const FIGURES: Figure[] = [
  ...CATEGORIES.map((id) => ({
    label: { performance: 'Performance', accessibility: 'Accessibility', 'best-practices': 'Best practices', seo: 'SEO' }[id],
    target: String(TARGETS.score),
    of: (r: Run) => r.scores[id],
    meets: (m: number) => m >= TARGETS.score,
  })),
  { label: 'Largest Contentful Paint (ms, simulated)', target: `≤ ${num(TARGETS.lcpMs)}`, of: (r) => r.lcpMs, meets: (m) => m <= TARGETS.lcpMs },
  { label: 'Total Blocking Time (ms, simulated)', target: `≤ ${TARGETS.tbtMs}`, of: (r) => r.tbtMs, meets: (m) => m <= TARGETS.tbtMs },
  { label: 'Cumulative Layout Shift', target: String(TARGETS.cls), of: (r) => r.cls, decimals: 3, meets: (m) => m <= TARGETS.cls },
];

export async function lighthouseBenchmark(ctx: BenchContext): Promise<string> {
  const { runs, pages: which, skipIfUnavailable } = ctx.config.lighthouse;
  if (!existsSync(CHROMIUM_PATH)) {
    const reason = `${CHROMIUM_PATH} is not installed (apt-get install -y chromium)`;
    if (skipIfUnavailable) throw new BenchSkipped(reason);
    throw new Error(reason);
  }
  // The smoke run proves the harness on the article alone (and the reference).
  const pages = LIGHTHOUSE_PAGES.filter((p) => which === 'all' || p.path === `/articles/${REFERENCE_SLUG}`);
  // The empty app's own standalone server, started beside the project's for this section only.
  const empty = await startAppServer(ctx.emptyDir);
  try {
    const sides = [
      ...pages.map((p) => ({ key: p.path, url: `${ctx.server.url}${p.path}` })),
      { key: EMPTY_KEY, url: `${empty.url}/` },
    ];
    const results = new Map<string, Run[]>(sides.map((side) => [side.key, []]));
    for (let run = 0; run < runs; run += 1) {
      for (const side of run % 2 === 0 ? sides : [...sides].reverse()) {
        let r: Run;
        try {
          r = await runOnce(side.url);
        } catch (err) {
          // In the smoke run, a browser that cannot start here is the machine's problem, not the harness's.
          if (skipIfUnavailable && /launch|ECONNREFUSED|Chrome|chromium/i.test(String(err))) throw new BenchSkipped(`Chromium did not start: ${String(err)}`);
          throw err;
        }
        results.get(side.key)!.push(r);
        ctx.log(
          `lighthouse: ${side.key} run ${run + 1}/${runs}: perf ${r.scores.performance}, a11y ${r.scores.accessibility}, ` +
            `bp ${r.scores['best-practices']}, seo ${r.scores.seo}, LCP ${num(r.lcpMs)} ms, TBT ${num(r.tbtMs)} ms, CLS ${num(r.cls, 3)}; ` +
            `observed LCP ${num(r.observed.lcpMs)} ms after ${bytes(r.observed.bytes)} (${bytes(r.observed.scriptBytes)} scripts)`,
        );
      }
    }
    return report(runs, pages, results);
  } finally {
    await empty.stop();
  }
}

const EMPTY_KEY = 'empty Next.js page';
const MARKUP_FIGURES = ['Accessibility', 'Best practices', 'SEO'];

function report(runs: number, pages: readonly (typeof LIGHTHOUSE_PAGES)[number][], results: Map<string, Run[]>): string {
  const missed: string[] = [];
  const floorMisses: string[] = [];
  const cell = (runsOf: Run[], figure: Figure) => {
    const summary = summarize(runsOf.map(figure.of));
    return { meets: figure.meets(summary.median), text: spread(summary, figure.decimals ?? 0) };
  };
  const rows = FIGURES.map((figure) => {
    const floor = cell(results.get(EMPTY_KEY)!, figure);
    // Accessibility, best practices and SEO judge a page's markup (the empty page has no title or
    // description): only the speed figures say something about the framework.
    if (!floor.meets && !MARKUP_FIGURES.includes(figure.label)) floorMisses.push(figure.label);
    return [
      figure.label,
      figure.target,
      ...pages.map((p) => {
        const { meets, text } = cell(results.get(p.path)!, figure);
        if (!meets) missed.push(`${figure.label} on \`${p.path}\``);
        return `${meets ? '✓' : '✗'} ${text}`;
      }),
      `${floor.meets ? '✓' : '✗'} ${floor.text}`,
    ];
  });
  return [
    `Lighthouse ${lighthouseVersion()} (mobile preset, simulated throttling), ${runs} run(s) per page, pages alternating, a fresh ` +
      `\`${CHROMIUM_PATH}\` each run with \`${CHROME_FLAGS.join(' ')}\`, against the production server on loopback. Median (min–max); ` +
      '✓ when the median meets the target. Scores are 0–100. On a shared 2-core machine the performance score and TBT move with ' +
      "the neighbours' load; the other three categories do not. The last column is not a target: it is an empty Next.js page " +
      '(same Next.js, same config, its own standalone server), measured in the same rounds, so it shows what the framework alone ' +
      'scores on this machine.',
    '',
    table(['Figure', 'Target', ...pages.map((p) => p.name), 'Reference: empty Next.js page `/`'], rows),
    '',
    'What the simulated LCP replays: the real load\'s LCP on loopback, and the bytes (transfer size) of the requests that ' +
      'finished before it, which Lantern downloads again at slow-4G speed before it counts the paint; then what the simulated ' +
      "LCP actually waited for, the requests in Lantern's LCP graph by type (scripts it saw evaluated only after the paint are " +
      'left out): what is left to cut (medians):',
    '',
    table(
      ['', ...pages.map((p) => p.name), 'Empty Next.js page'],
      [
        ['Observed LCP (ms, unthrottled)', ...[...pages.map((p) => p.path), EMPTY_KEY].map((k) => num(median(results.get(k)!.map((r) => r.observed.lcpMs))))],
        ['Bytes finished before it', ...[...pages.map((p) => p.path), EMPTY_KEY].map((k) => bytes(median(results.get(k)!.map((r) => r.observed.bytes))))],
        ['of which scripts', ...[...pages.map((p) => p.path), EMPTY_KEY].map((k) => bytes(median(results.get(k)!.map((r) => r.observed.scriptBytes))))],
        ...GRAPH_ROWS.map(([label, key]) => [label, ...[...pages.map((p) => p.path), EMPTY_KEY].map((k) => graphCell(results.get(k)!, key))]),
      ],
    ),
    '',
    missed.length === 0 ? 'Every median meets its target.' : `Missed: ${missed.join('; ')}.`,
    '',
    floorMisses.length === 0
      ? 'The empty Next.js page meets every target.'
      : `The empty Next.js page itself misses: ${floorMisses.join('; ')} (the framework's floor on this machine).`,
  ].join('\n');
}

/** Lantern's LCP graph, the requests the simulated paint waits for: what is left to cut. */
const GRAPH_ROWS: [string, keyof GraphBytes][] = [
  ['Simulated LCP waits for: requests', 'requests'],
  ['… scripts', 'script'],
  ['… fonts', 'font'],
  ['… stylesheets', 'stylesheet'],
  ['… the document', 'document'],
  ['… other (fetches, manifest, icons)', 'other'],
];

function graphCell(runs: Run[], key: keyof GraphBytes): string {
  const values = runs.flatMap((r) => (r.graph ? [r.graph[key]] : []));
  if (values.length === 0) return 'n/a';
  return key === 'requests' ? num(median(values)) : bytes(median(values));
}

function lighthouseVersion(): string {
  // Read at run time so the table names the version that actually ran.
  try {
    const require = createRequire(import.meta.url);
    return (JSON.parse(readFileSync(require.resolve('lighthouse/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '';
  }
}
