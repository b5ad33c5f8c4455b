/**
 * npm run bench        → every benchmark, full size; rewrites bench/RESULTS.md (long: see the file)
 * npm run bench:smoke  → the same code paths at tiny sizes; writes bench/RESULTS.smoke.md (gitignored)
 *
 * Order: build the project and an empty Next.js app in copies under bench/.work/<mode>/ (never in
 * the repo's .next, which others use), start the production server once, then run the page
 * benchmarks, signups, and last the build-scaling builds (the slowest). The results file is
 * rewritten after every benchmark, so a long run that is stopped still leaves what it measured.
 * Exit code 1 when any benchmark crashed (CI catches a rotting harness); a benchmark that cannot
 * run on this machine for an outside reason is reported as skipped with the reason.
 *
 * Environment: BENCH_ONLY=serving,client-js,... runs a subset (the other sections are kept from the
 * existing results file, marked as from an earlier run); BENCH_BUILD_ROUNDS sets the rounds of the
 * 10- and 100-article builds in the full run (default 2); BENCH_BUILD_SIZES=20,120 builds only those
 * sizes (once each unless BENCH_BUILD_ROUNDS says otherwise), for finding the marginal cost quickly.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { runAnnounceBench } from './announce';
import { runImportBench } from './import';
import { buildScalingBenchmark } from './build-scaling';
import { clientJsBenchmark } from './client-js';
import { configFor, REPO_ROOT } from './config';
import { BenchFailedWithResults, BenchSkipped, type BenchContext } from './context';
import { lighthouseBenchmark } from './lighthouse';
import { stopAll } from '../testing/processes';
import { bytes, seconds, table } from './lib/stats';
import { copyProject, createEmptyApp, headCommit, nextBuild, startAppServer, type AppServer } from './lib/workspace';
import { searchBenchmark } from './search';
import { servingBenchmark } from './serving';
import { signupsBenchmark } from './signups';

type Section = {
  id: string;
  title: string;
  status: 'ok' | 'skipped' | 'failed' | 'not run' | 'pending' | 'earlier run';
  body: string;
  ms: number;
  /** 1-minute load average before and after: how busy the shared machine was meanwhile. */
  load?: [number, number];
};

const mode = process.argv.includes('--smoke') ? 'smoke' : 'full';
const config = configFor(mode);
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
const began = new Date();
const loadAtStart = loadavg()[0]!;
const t0 = performance.now();
const log = (line: string) => console.error(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s] ${line}`);

const BENCHMARKS: { id: string; title: string; run: (ctx: BenchContext) => Promise<string> }[] = [
  { id: 'serving', title: '1. Page serving: app vs nginx from disk and an empty Next.js page; the cache tier', run: servingBenchmark },
  { id: 'client-js', title: '2. Client JavaScript: article page vs an empty Next.js page', run: clientJsBenchmark },
  { id: 'lighthouse', title: '3. Lighthouse (mobile preset)', run: lighthouseBenchmark },
  { id: 'signups', title: '5. Signups: POST /api/newsletter/subscribe under load', run: signupsBenchmark },
  { id: 'announcements', title: '6. Announcements: enqueue for many subscribers, send rate at 2 requests/s', run: announcementsBenchmark },
  { id: 'search', title: '7. Search: server query time, index size, build time per article', run: searchBenchmark },
  { id: 'import', title: '8. Subscriber import: 100,000 rows from a CSV export', run: importBenchmark },
  { id: 'build-scaling', title: '4. Build scaling: next build with N generated articles', run: buildScalingBenchmark },
];

/** 6 runs against the database and the fake provider directly: it needs no build or server. */
async function announcementsBenchmark(ctx: BenchContext): Promise<string> {
  const { header, rows } = await runAnnounceBench({ ...ctx.config.announce, log: ctx.log });
  return table(header, rows);
}

/** 8 runs against the database directly: it needs no build or server. */
async function importBenchmark(ctx: BenchContext): Promise<string> {
  const { header, rows } = await runImportBench({ ...ctx.config.import, log: ctx.log });
  return table(header, rows);
}

async function main(): Promise<number> {
  const commit = await headCommit();
  const sections: Section[] = [];
  const preamble: string[] = [];
  const write = () => writeResults(config.resultsFile, commit, preamble, sections);
  const wanted = BENCHMARKS.filter((b) => !only || only.includes(b.id));
  // A partial run keeps the other sections of the existing results file, marked as earlier.
  const earlier = only ? await readEarlierResults(config.resultsFile) : undefined;
  for (const b of BENCHMARKS) {
    if (wanted.includes(b)) continue;
    const kept = earlier?.sections.get(b.title);
    sections.push(
      kept
        ? { id: b.id, title: b.title, status: 'earlier run', body: kept, ms: 0 }
        : { id: b.id, title: b.title, status: 'not run', body: `Not run (BENCH_ONLY=${only?.join(',')}).`, ms: 0 },
    );
  }

  // The builds and the server the page benchmarks use (not needed for build scaling alone).
  const appDir = path.join(config.workDir, 'app');
  const emptyDir = path.join(config.workDir, 'empty');
  let server: AppServer | undefined;
  // Build scaling, announcements, search and import need no build of the project or server.
  if (wanted.some((b) => !['build-scaling', 'announcements', 'search', 'import'].includes(b.id))) {
    log(`copying HEAD (${commit}) to ${path.relative(REPO_ROOT, appDir)} and building it`);
    await copyProject(appDir);
    const appBuild = await nextBuild(appDir);
    log(`project built in ${seconds(appBuild.wallMs)}; building the empty app`);
    await createEmptyApp(emptyDir);
    const emptyBuild = await nextBuild(emptyDir);
    log(`empty app built in ${seconds(emptyBuild.wallMs)}`);
    preamble.push(
      table(
        ['Build (context for the figures below)', 'Wall time', 'CPU time', 'Peak memory (process group)'],
        [
          [`The project at this commit (${await articleCount(appDir)} articles)`, seconds(appBuild.wallMs), seconds(appBuild.cpuMs), bytes(appBuild.peakGroupRssBytes)],
          ['Empty Next.js app (layout + page)', seconds(emptyBuild.wallMs), seconds(emptyBuild.cpuMs), bytes(emptyBuild.peakGroupRssBytes)],
        ],
      ),
    );
    server = await startAppServer(appDir);
    log(`production server (${server.kind}) at ${server.url}`);
  } else if (earlier?.preamble) {
    preamble.push(`${earlier.note}\n\n${earlier.preamble.replace(/^_From an earlier run[^\n]*\n\n/, '')}`);
  }
  const ctx: BenchContext = {
    config,
    appDir,
    emptyDir,
    get server(): AppServer {
      if (!server) throw new Error('no server was started for this run');
      return server;
    },
    log,
  };
  let failed = 0;
  try {
    for (const b of wanted) {
      const started = performance.now();
      const loadBefore = loadavg()[0]!;
      log(`== ${b.title}`);
      let section: Section;
      try {
        const body = await b.run(ctx);
        section = { id: b.id, title: b.title, status: body.includes('**pending:') ? 'pending' : 'ok', body, ms: performance.now() - started };
      } catch (err) {
        if (err instanceof BenchFailedWithResults) {
          failed += 1;
          log(`${b.id}: FAILED (results kept): ${err.message}`);
          section = { id: b.id, title: b.title, status: 'failed', body: err.body, ms: performance.now() - started };
        } else if (err instanceof BenchSkipped) {
          log(`${b.id}: SKIPPED: ${err.message}`);
          section = { id: b.id, title: b.title, status: 'skipped', body: `**Skipped**: ${err.message}`, ms: performance.now() - started };
        } else {
          failed += 1;
          const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
          log(`${b.id}: FAILED: ${message}`);
          section = { id: b.id, title: b.title, status: 'failed', body: `**FAILED**:\n\n\`\`\`\n${message.slice(0, 6000)}\n\`\`\``, ms: performance.now() - started };
        }
      }
      section.load = [loadBefore, loadavg()[0]!];
      sections.push(section);
      log(`${b.id}: ${section.status} in ${seconds(section.ms)}`);
      await write();
    }
  } finally {
    await server?.stop();
  }
  await write();
  log(`wrote ${path.relative(REPO_ROOT, config.resultsFile)} in ${seconds(performance.now() - t0)} total; ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

function footer(s: Section, command: string): string {
  const load = s.load ? `; 1-minute load average ${s.load[0].toFixed(1)} before, ${s.load[1].toFixed(1)} after, on ${cpus().length} cores` : '';
  return `_Measured in ${seconds(s.ms, 0)} by \`${command}\`${load}._`;
}

/** The sections (by title) and build table of an existing results file, each marked with its run. */
async function readEarlierResults(file: string): Promise<{ sections: Map<string, string>; preamble?: string; note: string } | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const date = /^\| Date \| (.+?) \|$/m.exec(text)?.[1] ?? 'unknown date';
  const commit = /^\| Commit \| `(\w+)`/m.exec(text)?.[1] ?? 'unknown commit';
  const note = `_From an earlier run (${date}, commit \`${commit}\`): not rerun by the last, partial run._`;
  const [head, ...parts] = text.split(/\n(?=## )/);
  const sections = new Map<string, string>();
  for (const part of parts) {
    const newline = part.indexOf('\n');
    const title = part.slice(3, newline).trim();
    let body = part.slice(newline + 1).trim();
    if (body.startsWith('**Not run') || body.startsWith('Not run')) continue;
    if (!body.startsWith('_From an earlier run')) body = `${note}\n\n${body}`;
    sections.set(title, body);
  }
  const buildTable = head?.indexOf('| Build (context');
  const start = head?.search(/(_From an earlier run[^\n]*\n\n)?\| Build \(context/) ?? -1;
  return { sections, note, preamble: head && buildTable !== undefined && buildTable >= 0 && start >= 0 ? head.slice(start).trim() : undefined };
}

async function articleCount(dir: string): Promise<number> {
  return (await readdir(path.join(dir, 'content'))).filter((f) => f.endsWith('.mdx')).length;
}

async function writeResults(file: string, commit: string, preamble: string[], sections: Section[]): Promise<void> {
  const order = ['serving', 'client-js', 'lighthouse', 'build-scaling', 'signups', 'announcements', 'search'];
  const sorted = [...sections].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  const cpu = cpus();
  const command = mode === 'smoke' ? 'npm run bench:smoke' : 'npm run bench';
  const text = [
    `# Benchmarks${mode === 'smoke' ? ' (SMOKE RUN: tiny sizes, the figures mean nothing)' : ''}`,
    '',
    `Written by \`${command}\` (bench/run.ts; one module per benchmark beside it). Rerun it to replace this file. ` +
      'Every comparison is measured side by side in the same run, alternating, so the ratios are what to read: ' +
      'absolute figures depend on the machine and on whoever else is using it. Tests never assert these numbers.',
    '',
    table(
      ['Run', ''],
      [
        ['Date', `${began.toISOString().replace('T', ' ').slice(0, 16)} UTC`],
        ['Commit', `\`${commit}\` (the copy built and measured is \`git archive HEAD\`)`],
        ['Machine', `${cpu.length} cores, ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${bytes(totalmem())} memory, shared with other work`],
        ['Node.js', process.version],
        ['1-minute load average', `${loadAtStart.toFixed(1)} at the start (other work on the machine; ${cpus().length} cores)`],
        ['Duration', seconds(performance.now() - t0, 0)],
        ['Benchmarks', sorted.map((s) => `${s.id}: ${s.status}`).join(', ')],
      ],
    ),
    '',
    ...preamble,
    '',
    ...sorted.flatMap((s) => [`## ${s.title}`, '', s.body, '', s.ms ? footer(s, command) : '', '']),
  ].join('\n');
  await writeFile(file, text.replace(/\n{3,}/g, '\n\n'));
}


const stop = async (signal: NodeJS.Signals) => {
  log(`${signal}: stopping children`);
  await stopAll();
  process.exit(130);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

main()
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  })
  .catch(async (err) => {
    log(`crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await stopAll();
    process.exit(1);
  });
