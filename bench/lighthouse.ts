/**
 * 3. Lighthouse, mobile preset (Lighthouse's default: a Moto G Power-class screen, simulated slow
 * 4G and 4× CPU slowdown computed from the trace, so nothing is downloaded for throttling), in
 * Debian's Chromium (no browser can be downloaded here). Each run gets a fresh browser, pages
 * alternate run by run, and the median of the runs is reported: Lighthouse's own advice for a
 * noisy machine.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../testing/chromium';
import type { BenchContext } from './context';
import { BenchSkipped, REFERENCE_SLUG } from './context';
import { num, spread, summarize, table } from './lib/stats';

const CHROME_FLAGS = ['--headless=new', ...CHROMIUM_FLAGS];
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;

type Run = { scores: Record<(typeof CATEGORIES)[number], number>; lcpMs: number; cls: number; tbtMs: number };

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
    };
  } finally {
    await chrome.kill();
  }
}

export async function lighthouseBenchmark(ctx: BenchContext): Promise<string> {
  const { runs, pages: which, skipIfUnavailable } = ctx.config.lighthouse;
  if (!existsSync(CHROMIUM_PATH)) {
    const reason = `${CHROMIUM_PATH} is not installed (apt-get install -y chromium)`;
    if (skipIfUnavailable) throw new BenchSkipped(reason);
    throw new Error(reason);
  }
  const pages = [
    { name: `Article \`/articles/${REFERENCE_SLUG}\``, path: `/articles/${REFERENCE_SLUG}` },
    { name: 'Home `/`', path: '/' },
  ].filter((p) => which === 'both' || p.path !== '/');

  const results = new Map<string, Run[]>(pages.map((p) => [p.path, []]));
  for (let run = 0; run < runs; run += 1) {
    for (const page of run % 2 === 0 ? pages : [...pages].reverse()) {
      let r: Run;
      try {
        r = await runOnce(`${ctx.server.url}${page.path}`);
      } catch (err) {
        // In the smoke run, a browser that cannot start here is the machine's problem, not the harness's.
        if (skipIfUnavailable && /launch|ECONNREFUSED|Chrome|chromium/i.test(String(err))) throw new BenchSkipped(`Chromium did not start: ${String(err)}`);
        throw err;
      }
      results.get(page.path)!.push(r);
      ctx.log(`lighthouse: ${page.path} run ${run + 1}/${runs}: perf ${r.scores.performance}, a11y ${r.scores.accessibility}, LCP ${num(r.lcpMs)} ms, TBT ${num(r.tbtMs)} ms`);
    }
  }

  const col = (path: string, f: (r: Run) => number, decimals = 0, unit = '') => spread(summarize(results.get(path)!.map(f)), decimals, unit);
  const rows: string[][] = [
    ['Performance', ...pages.map((p) => col(p.path, (r) => r.scores.performance))],
    ['Accessibility', ...pages.map((p) => col(p.path, (r) => r.scores.accessibility))],
    ['Best practices', ...pages.map((p) => col(p.path, (r) => r.scores['best-practices']))],
    ['SEO', ...pages.map((p) => col(p.path, (r) => r.scores.seo))],
    ['Largest Contentful Paint (ms, simulated)', ...pages.map((p) => col(p.path, (r) => r.lcpMs))],
    ['Cumulative Layout Shift', ...pages.map((p) => col(p.path, (r) => r.cls, 3))],
    ['Total Blocking Time (ms, simulated)', ...pages.map((p) => col(p.path, (r) => r.tbtMs))],
  ];
  return [
    `Lighthouse ${lighthouseVersion()} (mobile preset, simulated throttling), ${runs} run(s) per page, pages alternating, a fresh ` +
      `\`${CHROMIUM_PATH}\` each run with \`${CHROME_FLAGS.join(' ')}\`, against the production server on loopback. Median (min–max). ` +
      'Scores are 0–100. On a shared 2-core machine the performance score moves with the neighbours\' load; the other three do not.',
    '',
    table(['Figure', ...pages.map((p) => p.name)], rows),
  ].join('\n');
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
