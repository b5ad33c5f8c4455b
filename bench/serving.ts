/**
 * 1. Page serving: the production server against nginx serving the very same prerendered bytes.
 *
 * nginx reading a file is about the fastest static HTML gets on this machine, so the ratio says
 * how much of that limit the Next.js server (its proxy.ts, routing, cache lookup) keeps. The two
 * are measured alternately (A B, B A, ...) within one run, on one machine, so load from other
 * users of these shared cores lands on both sides alike; the spread shows how noisy it was.
 */
import { chmod, copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchContext } from './context';
import { REFERENCE_SLUG } from './context';
import { errorSummary, load, type LoadResult } from './lib/load';
import { startNginx } from '../testing/nginx';
import { num, spread, summarize, table } from './lib/stats';

type Page = { name: string; urlPath: string; file: string; contentType: string };

function pages(appDir: string): Page[] {
  const app = path.join(appDir, '.next', 'server', 'app');
  return [
    {
      name: 'Reference article',
      urlPath: `/articles/${REFERENCE_SLUG}`,
      file: path.join(app, 'articles', `${REFERENCE_SLUG}.html`),
      contentType: 'text/html; charset=utf-8',
    },
    { name: 'Home page', urlPath: '/', file: path.join(app, 'index.html'), contentType: 'text/html; charset=utf-8' },
    // A prerendered route handler: Next.js keeps its body and headers beside each other.
    { name: 'RSS feed', urlPath: '/rss.xml', file: path.join(app, 'rss.xml.body'), contentType: 'application/rss+xml; charset=utf-8' },
  ];
}

export async function servingBenchmark(ctx: BenchContext): Promise<string> {
  const { connections, durationSec, warmupSec, rounds } = ctx.config.serving;
  const list = pages(ctx.appDir);
  const nginx = await startStaticNginx(list);
  const out: string[] = [];
  try {
    out.push(
      `Each side: ${connections} connections for ${durationSec} s per round, ${rounds} round(s), alternating which server goes first; ` +
        `${warmupSec} s of warm-up load on each before the first round. Load generator: autocannon (in the bench's own Node process, ` +
        `on the same 2 cores as the server it measures, which caps what either server can show). Median (min–max) over the rounds.`,
      '',
    );
    for (const page of list) {
      const fileBytes = await readFile(page.file);
      const { same, nextHeaders } = await sameBytes(`${ctx.server.url}${page.urlPath}`, `${nginx.url}${page.urlPath}`, fileBytes);
      ctx.log(`serving: ${page.name} ${page.urlPath} (${fileBytes.length} bytes; identical answers: ${same})`);

      const target = { next: `${ctx.server.url}${page.urlPath}`, nginx: `${nginx.url}${page.urlPath}` };
      for (const url of Object.values(target)) await load(url, { connections, durationSec: warmupSec, require2xx: true });

      const results: Record<'next' | 'nginx', LoadResult[]> = { next: [], nginx: [] };
      for (let round = 0; round < rounds; round += 1) {
        // Alternate the order so neither side always runs on a machine the other just warmed.
        const order: ('next' | 'nginx')[] = round % 2 === 0 ? ['next', 'nginx'] : ['nginx', 'next'];
        for (const side of order) {
          const r = await load(target[side], { connections, durationSec, require2xx: true });
          results[side].push(r);
          ctx.log(`serving: ${page.name} round ${round + 1}/${rounds} ${side}: ${num(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`);
        }
      }
      out.push(`### ${page.name}: \`GET ${page.urlPath}\``, '');
      out.push(
        `${fileBytes.length.toLocaleString('en-US')} bytes, uncompressed (autocannon sends no Accept-Encoding). ` +
          `Same bytes from both servers: ${same ? 'yes' : 'no (see the log)'}. The production server's answer: ${nextHeaders}.`,
        '',
      );
      out.push(comparisonTable(results, ctx.server.kind));
      out.push('');
    }
    out.push(
      'Ratio = production server ÷ nginx, per round, then the median of those ratios (min–max): rounds are paired, so a noisy ' +
        'moment hits both halves of a pair.',
    );
  } finally {
    await nginx.stop();
  }
  return out.join('\n');
}

/**
 * Debian's nginx serving the very same files (testing/nginx.ts): the limit for static HTML on this
 * machine. One worker per core, as an nginx in production would run; keep-alive as long as Node's.
 */
async function startStaticNginx(list: Page[]) {
  const locations = list.map(
    // Exact-match location, the type Next.js sends, the bytes Next.js sends.
    (page, i) => `    location = ${page.urlPath} { default_type "${page.contentType}"; try_files /file-${i} =404; }`,
  );
  return startNginx({
    workers: 'auto',
    readyPath: list[0]?.urlPath ?? '/',
    // Run as root, nginx's workers switch to "nobody": they must be able to read the files.
    prepare: async (dir) => {
      await mkdir(path.join(dir, 'www'), { recursive: true, mode: 0o755 });
      for (const [i, page] of list.entries()) {
        await copyFile(page.file, path.join(dir, 'www', `file-${i}`));
        await chmod(path.join(dir, 'www', `file-${i}`), 0o644);
      }
    },
    http: (dir, port) => `  access_log off;
  sendfile on;
  tcp_nopush on;
  # Node keeps a connection open for any number of requests; so does this nginx.
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port};
    root ${path.join(dir, 'www')};
${locations.join('\n')}
  }`,
  });
}

function comparisonTable(results: Record<'next' | 'nginx', LoadResult[]>, serverKind: string): string {
  const pick = (side: 'next' | 'nginx', f: (r: LoadResult) => number) => summarize(results[side].map(f));
  const ratio = (f: (r: LoadResult) => number) => summarize(results.next.map((r, i) => f(r) / f(results.nginx[i]!)));
  const rows: string[][] = [
    ['Requests per second', spread(pick('next', (r) => r.rps)), spread(pick('nginx', (r) => r.rps)), spread(ratio((r) => r.rps), 2, '×')],
    ['Latency p50 (ms)', spread(pick('next', (r) => r.p50), 1), spread(pick('nginx', (r) => r.p50), 1), spread(ratio((r) => r.p50), 1, '×')],
    ['Latency p99 (ms)', spread(pick('next', (r) => r.p99), 1), spread(pick('nginx', (r) => r.p99), 1), spread(ratio((r) => r.p99), 1, '×')],
    [
      'Requests completed (all rounds)',
      num(results.next.reduce((a, r) => a + r.completed, 0)),
      num(results.nginx.reduce((a, r) => a + r.completed, 0)),
      '',
    ],
    ['Connection errors / timeouts (all rounds)', errorSummary(results.next), errorSummary(results.nginx), ''],
  ];
  return table(['Figure', `Production server (${serverKind})`, 'nginx, same file', 'Ratio (server ÷ nginx)'], rows);
}

/** Whether both servers answer with exactly the prerendered file's bytes (else the comparison is unfair). */
async function sameBytes(a: string, b: string, file: Buffer): Promise<{ same: boolean; nextHeaders: string }> {
  const [x, y] = await Promise.all(
    [a, b].map(async (url) => {
      const response = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      return { body: Buffer.from(await response.arrayBuffer()), headers: response.headers };
    }),
  );
  // Evidence that Next.js served the prerendered file rather than rendering per request.
  const nextHeaders = ['x-nextjs-cache', 'x-nextjs-prerender', 'cache-control']
    .map((name) => `\`${name}: ${x!.headers.get(name) ?? '(none)'}\``)
    .join(', ');
  return { same: x!.body.equals(file) && y!.body.equals(file), nextHeaders };
}
