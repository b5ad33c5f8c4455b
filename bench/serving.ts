/**
 * 1. Page serving, as ratios measured in one run: the project's standalone server against nginx
 * serving the very same bytes from disk (the fastest static answer this machine gives) and
 * against an empty Next.js 16 page served the same way (what any Next app costs); and the cache
 * tier (deploy/k8s/cache-tier/cache.conf in front of the project's server) against nginx from
 * disk. With and without Accept-Encoding: gzip.
 *
 * Method: every server under test runs on SERVER_CORES, wrk in its own process on LOAD_CORES
 * (bench/lib/wrk.ts), the same wrk options for every side. Each round measures every side once,
 * in an order reversed every other round, so load from the machine's other users lands on all
 * sides alike; a ratio is taken within a round, then the median over rounds (min–max).
 */
import { BenchSkipped, REFERENCE_SLUG, type BenchContext } from './context';
import { acceptEncoding, ENCODINGS, get, startSides, type Encoding, type Page, type Sides } from './lib/serving-sides';
import { num, spread, summarize, table } from './lib/stats';
import { LOAD_CORES, SERVER_CORES, wrk, wrkAvailable, type WrkResult } from './lib/wrk';

const PAGES: Page[] = [
  { name: 'Reference article', urlPath: `/articles/${REFERENCE_SLUG}` },
  { name: 'Home page', urlPath: '/' },
  { name: 'RSS feed', urlPath: '/rss.xml' },
];
/** The targets the table checks. */
const APP_VS_EMPTY_TARGET = 0.6;
const CACHE_VS_DISK_TARGET = 0.8;

type Side = 'disk' | 'app' | 'cache';
type Target = { key: string; url: string; encoding: Encoding };

export async function servingBenchmark(ctx: BenchContext): Promise<string> {
  if (!(await wrkAvailable())) throw new BenchSkipped('wrk and taskset are needed (apt-get install -y wrk; taskset comes with util-linux)');
  const { connections, durationSec, warmupSec, rounds, threads } = ctx.config.serving;
  const sides = await startSides(ctx.appDir, ctx.emptyDir, PAGES);
  try {
    const evidence = await checkSameBytes(sides, ctx);
    const targets: Target[] = ENCODINGS.flatMap((encoding) => [
      { key: `empty ${encoding}`, url: `${sides.empty.url}/`, encoding },
      ...PAGES.flatMap((page) =>
        (['disk', 'app', 'cache'] as Side[]).map((side) => ({ key: `${side} ${page.urlPath} ${encoding}`, url: `${urlOf(sides, side)}${page.urlPath}`, encoding })),
      ),
    ]);
    const measure = async (target: Target, seconds: number): Promise<WrkResult> => {
      const r = await wrk(target.url, { connections, threads, durationSec: seconds, headers: acceptEncoding(target.encoding) });
      const errors = r.socketErrors.connect + r.socketErrors.read + r.socketErrors.write + r.socketErrors.timeout;
      if (r.non2xx3xx > 0 || errors > r.requests / 100) throw new Error(`${target.key}: ${r.non2xx3xx} non-2xx answers, socket errors ${JSON.stringify(r.socketErrors)}`);
      return r;
    };
    for (const target of targets) await measure(target, warmupSec);
    const hits = await checkCacheHits(sides);

    const results = new Map<string, WrkResult[]>(targets.map((t) => [t.key, []]));
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        const r = await measure(target, durationSec);
        results.get(target.key)!.push(r);
        ctx.log(`serving: round ${round + 1}/${rounds} ${target.key}: ${num(r.rps)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`);
      }
    }

    const rps = (key: string) => results.get(key)!.map((r) => r.rps);
    const ratio = (a: string, b: string) => summarize(rps(a).map((value, i) => value / rps(b)[i]!));
    const verdict = (median: number, target: number) => (median >= target ? `≥ ${target} ✓` : `< ${target} ✗`);
    const out: string[] = [
      `Method: servers pinned with \`taskset -c ${SERVER_CORES}\` (nginx with one worker), load from \`taskset -c ${LOAD_CORES} wrk -t${threads} -c${connections} -d${durationSec}s\` ` +
        `in its own process; ${rounds} round(s), each measuring every side once (order reversed every other round), after ${warmupSec} s of warm-up per side. ` +
        `Ratios are taken within a round (requests per second ÷ requests per second); median (min–max) over the rounds. ` +
        `"nginx from disk" serves the app's own bytes (for gzip, the app's gzip answer as a .gz via gzip_static). ` +
        `The empty page is an empty Next.js 16 app (layout + page) built and served like the project (its standalone server). ` +
        `The cache tier is deploy/k8s/cache-tier/cache.conf as shipped (access log on), in front of the project's server.`,
      '',
      evidence,
      hits,
      '',
    ];
    for (const encoding of ENCODINGS) {
      out.push(`### ${encoding === 'gzip' ? 'Accept-Encoding: gzip' : 'No Accept-Encoding (identity)'}`, '');
      const empty = `empty ${encoding}`;
      const rows = PAGES.map((page) => {
        const key = (side: Side) => `${side} ${page.urlPath} ${encoding}`;
        const vsEmpty = ratio(key('app'), empty);
        const cacheVsDisk = ratio(key('cache'), key('disk'));
        return [
          `${page.name} \`${page.urlPath}\``,
          num(summarize(rps(key('disk'))).median),
          num(summarize(rps(key('app'))).median),
          spread(vsEmpty, 2, '×'),
          verdict(vsEmpty.median, APP_VS_EMPTY_TARGET),
          spread(ratio(key('app'), key('disk')), 2, '×'),
          num(summarize(rps(key('cache'))).median),
          spread(cacheVsDisk, 2, '×'),
          verdict(cacheVsDisk.median, CACHE_VS_DISK_TARGET),
        ];
      });
      out.push(
        table(
          ['Page', 'nginx from disk (req/s)', 'App (req/s)', 'App ÷ empty Next page', 'Target', 'App ÷ nginx from disk', 'Cache tier (req/s)', 'Cache tier ÷ nginx from disk', 'Target'],
          rows,
        ),
        '',
        `Empty Next.js page \`/\`: ${num(summarize(rps(empty)).median)} req/s (median). Latency p50 / p99 (median over rounds, ms): ` +
          PAGES.map((page) =>
            (['disk', 'app', 'cache'] as Side[])
              .map((side) => {
                const rs = results.get(`${side} ${page.urlPath} ${encoding}`)!;
                return `${side} ${page.urlPath} ${summarize(rs.map((r) => r.p50)).median.toFixed(2)} / ${summarize(rs.map((r) => r.p99)).median.toFixed(2)}`;
              })
              .join(', '),
          ).join('; ') +
          '.',
        '',
      );
    }
    return out.join('\n');
  } finally {
    await sides.stop();
  }
}

function urlOf(sides: Sides, side: Side): string {
  return side === 'disk' ? sides.disk.url : side === 'app' ? sides.app.url : sides.cache.url;
}

/** Every side must answer each page with the same body in each encoding, or the comparison is unfair. */
async function checkSameBytes(sides: Sides, ctx: BenchContext): Promise<string> {
  const lines: string[] = [];
  for (const page of PAGES) {
    for (const encoding of ENCODINGS) {
      const [app, disk, cache] = await Promise.all(['app', 'disk', 'cache'].map((side) => get(`${urlOf(sides, side as Side)}${page.urlPath}`, encoding)));
      const same = app!.bytes.equals(disk!.bytes) && app!.bytes.equals(cache!.bytes);
      if (!same) throw new Error(`${page.urlPath} (${encoding}): the app, nginx from disk and the cache tier sent different bytes (${app!.bytes.length}, ${disk!.bytes.length}, ${cache!.bytes.length})`);
      lines.push(`${page.urlPath} ${encoding}: ${app!.bytes.length.toLocaleString('en-US')} bytes`);
    }
    const answer = await get(`${sides.app.url}${page.urlPath}`, 'identity');
    ctx.log(`serving: ${page.urlPath}: cache-control ${answer.headers['cache-control'] ?? '(none)'}, x-nextjs-cache ${answer.headers['x-nextjs-cache'] ?? '(none)'}`);
  }
  const empty = await Promise.all(ENCODINGS.map((encoding) => get(`${sides.empty.url}/`, encoding)));
  return `Same bytes from the app, nginx from disk and the cache tier: ${lines.join('; ')}. Empty page: ${empty.map((a, i) => `${ENCODINGS[i]} ${a.bytes.length} bytes`).join(', ')}.`;
}

/** After the warm-up the cache tier answers every page from its store (else it measures the app). */
async function checkCacheHits(sides: Sides): Promise<string> {
  const statuses: string[] = [];
  for (const page of PAGES) {
    for (const encoding of ENCODINGS) {
      const status = String((await get(`${sides.cache.url}${page.urlPath}`, encoding)).headers['x-cache-status'] ?? '(none)');
      if (!['HIT', 'STALE', 'UPDATING', 'REVALIDATED'].includes(status)) throw new Error(`cache tier: ${page.urlPath} (${encoding}) after the warm-up: X-Cache-Status ${status}`);
      statuses.push(status);
    }
  }
  return `Cache tier after the warm-up: X-Cache-Status ${[...new Set(statuses)].join(', ')} for every page and encoding (stored entries are fresh for 10 s, then revalidated in the background).`;
}
