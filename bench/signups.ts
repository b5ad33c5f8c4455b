/**
 * 5. Signups: POST /api/newsletter/subscribe under load, against the real Postgres (a fresh
 * database, migrated with the project's own runner, dropped after) and the fake Resend API, then
 * the rows and the emails counted, to show the numbers are of correct work. Beside it, in the same
 * run, the floor (bench/signups-floor.ts): the same statements from a bare node:http + pg server
 * with the same pool size, on a database of its own; and an empty Next.js POST route (the empty app's
 * EMPTY_ROUTE), what the framework costs per request before any work. All are pinned to SERVER_CORES; the
 * load is wrk in its own process on LOAD_CORES (bench/lib/wrk.ts), driven by bench/signups.lua.
 *
 * Addresses: 70% new, 30% repeats of an address the same wrk thread already sent (a reader
 * submitting twice). The service answers a repeat the same way but sends no second email within
 * 10 minutes, and refuses a 4th try for one address within the hour (429); the script matches each
 * answer to its address (by the X-Request-Id the server echoes) and checks exactly that.
 *
 * Client IPs: the service allows 10 signups per IP per 10 minutes, and the load generator is one
 * IP. Every request therefore carries its own X-Forwarded-For (the header the app trusts from its
 * proxy, TRUSTED_PROXY_HOPS=1), taken from 198.18.0.0/15, the block reserved for benchmarks (RFC
 * 2544): the run measures many readers signing up, not one client being rate limited. No traffic
 * goes to those addresses; they are only header values. Every request still goes through the IP check.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { applyMigrations } from '../lib/db/migrate';
import { startFakeResendProcess, type FakeResendProcess } from '../testing/fake-resend/process';
import { waitForHttp } from '../testing/http';
import { freePort } from '../testing/ports';
import { startProcess } from '../testing/processes';
import { createDatabase, type TemporaryDatabase } from '../testing/postgres';
import { sleep } from '../testing/wait';
import { BENCH_DIR } from './config';
import type { BenchContext } from './context';
import { num, table } from './lib/stats';
import { EMPTY_ROUTE, pinned, startAppServer, type AppServer } from './lib/workspace';
import { LOAD_CORES, SERVER_CORES, wrk, wrkAvailable, type WrkResult } from './lib/wrk';

export const POSTGRES_SERVER = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const ROUTE_FILE = path.join('app', 'api', 'newsletter', 'subscribe', 'route.ts');
const FLOOR_FILE = path.join('bench', 'signups-floor.ts');
const SCRIPT = path.join(BENCH_DIR, 'signups.lua');
const EMPTY_ROUTE_SCRIPT = path.join(BENCH_DIR, 'post-json.lua');
/** Both servers get this many pooled connections (pg's default, which the app uses unless told otherwise). */
const POOL_SIZE = 10;
/** wrk threads: each is one event loop with its own Lua state (its own addresses). */
const THREADS = 2;

export const SIGNUPS_PLACEHOLDER = [
  '**pending: needs the newsletter API** (app/api/newsletter/subscribe/route.ts is not in this commit).',
  '',
  'Design: `POST /api/newsletter/subscribe` with 50 concurrent clients for 10 s against the real Postgres with a fresh ' +
    'database (migrated with lib/db/migrate.ts), 30% repeated addresses, the fake email server (testing/fake-resend/cli.ts); ' +
    'rows and queued emails counted afterwards.',
].join('\n');

/** What bench/signups.lua prints in done(). */
type ScriptSummary = {
  statuses: Record<string, number>;
  newAddresses: number;
  accepted: number;
  unmatched: number;
  limitChecked: number;
  limitViolations: number;
  limited: number;
  /** The first few addresses off the limit, as "sent n, 200 xa, 429 xb". */
  violationSamples?: string[];
};

type Run = { result: WrkResult; summary: ScriptSummary };

/** Warm-up (JIT, pool, Prisma's compiler) then the measured run, each with its own addresses and client IPs. */
async function drive(url: string, ctx: BenchContext, runId: string): Promise<{ warmup: Run; measured: Run }> {
  const { connections, durationSec, repeatShare } = ctx.config.signups;
  const once = async (phase: string, seconds: number, c: number, ipBase: number): Promise<Run> => {
    const result = await wrk(`${url}/api/newsletter/subscribe`, {
      connections: c,
      durationSec: seconds,
      threads: THREADS,
      script: SCRIPT,
      scriptArgs: [`${runId}${phase}`, String(repeatShare), String(ipBase), String(THREADS)],
    });
    const summary = result.scriptOutput[0] as ScriptSummary | undefined;
    if (!summary) throw new Error(`signups: bench/signups.lua printed no summary:\n${result.raw}`);
    return { result, summary };
  };
  const warmup = await once('w', Math.min(2, durationSec), 10, 0);
  // The measured run's client addresses start past every one the warm-up could have used.
  const measured = await once('m', durationSec, connections, 65_536);
  return { warmup, measured };
}

type Side = { run: { warmup: Run; measured: Run }; counts: Counts };

/** The checks afterwards, for one side; `problems` is empty when the work was correct. */
function verdicts(side: Side): { rows: string[][]; problems: string[] } {
  const { warmup, measured } = side.run;
  const { counts } = side;
  const sent = warmup.summary.newAddresses + measured.summary.newAddresses;
  const accepted = warmup.summary.accepted + measured.summary.accepted;
  const unanswered = sent - accepted;
  const violations = warmup.summary.limitViolations + measured.summary.limitViolations;
  const problems: string[] = [];
  const rowsOk = counts.subscribers >= accepted && counts.subscribers <= sent;
  if (!rowsOk) problems.push(`subscriber rows ${counts.subscribers}, expected between ${accepted} (answered 200) and ${sent} (sent)`);
  if (counts.confirmationRows !== counts.subscribers) problems.push(`confirmation rows ${counts.confirmationRows} != subscribers ${counts.subscribers}`);
  if (violations > 0) {
    const samples = [...(warmup.summary.violationSamples ?? []), ...(measured.summary.violationSamples ?? [])];
    problems.push(`${violations} addresses whose answers break the per-inbox limit (${samples.join('; ')})`);
  }
  // The warm-up's answers count too: a 5xx there would otherwise show only as an address off the limit.
  for (const [phase, run] of [['warm-up', warmup], ['measured', measured]] as const) {
    const other = Object.entries(run.summary.statuses).filter(([code]) => code !== '200' && code !== '429');
    if (other.length > 0) problems.push(`${phase}: answers other than 200/429: ${JSON.stringify(Object.fromEntries(other))}`);
  }
  if (measured.summary.unmatched > 0) problems.push(`${measured.summary.unmatched} answers without the request id sent`);
  const rows = [
    ['Distinct addresses sent / answered 200 (warm-up included)', `${num(sent)} / ${num(accepted)} (${num(unanswered)} in flight when the load stopped)`],
    ['Subscriber rows afterwards', `${num(counts.subscribers)} (${rowsOk ? 'OK: one per address answered 200, none beyond those sent' : 'MISMATCH'})`],
    ['Confirmation outbox rows', `${num(counts.confirmationRows)} (${counts.confirmationRows === counts.subscribers ? 'OK: one per new address, none for repeats' : 'MISMATCH'})`],
    [
      'Per-inbox limit (3 an hour), addresses fully answered',
      `${num(warmup.summary.limitChecked + measured.summary.limitChecked)} checked, ${num(violations)} wrong (${num(warmup.summary.limited + measured.summary.limited)} 429s, all on a 4th+ try)`,
    ],
  ];
  return { rows, problems };
}

export async function signupsBenchmark(ctx: BenchContext): Promise<string> {
  if (!existsSync(path.join(ctx.appDir, ROUTE_FILE))) return SIGNUPS_PLACEHOLDER;
  if (!(await wrkAvailable())) throw new Error('signups: wrk and taskset are needed (apt-get install wrk)');
  const { connections, durationSec, repeatShare } = ctx.config.signups;
  const runId = String(Date.now());
  const secret = randomBytes(32).toString('base64url');

  const databases: TemporaryDatabase[] = [];
  let fake: FakeResendProcess | undefined;
  let server: AppServer | undefined;
  let floor: Floor | undefined;
  let empty: AppServer | undefined;
  try {
    // The app, with the fake provider; its outbox settles before the floor starts, so the
    // immediate sends and the worker do not run beside the floor's measurement.
    const appDb = await freshDatabase(ctx, databases, 'bench_signups');
    fake = await startFakeResendProcess({ root: ctx.appDir });
    server = await startAppServer(
      ctx.appDir,
      {
        DATABASE_URL: withConnectionLimit(appDb, POOL_SIZE),
        RESEND_API_KEY: 're_bench_not_a_real_key',
        RESEND_BASE_URL: fake.url,
        EMAIL_FROM: 'The Publication <newsletter@example.com>',
        NEWSLETTER_SECRET: secret,
        SITE_URL: 'http://127.0.0.1',
        // The load generator plays the proxy: each request's X-Forwarded-For is its client.
        TRUSTED_PROXY_HOPS: '1',
        // A CPU profile of the server under the load, written when it stops (for finding where the time goes).
        ...(process.env.BENCH_SIGNUPS_CPU_PROF
          ? { NODE_OPTIONS: `--require ${path.resolve(BENCH_DIR, 'lib', 'cpu-profile.cjs')}`, BENCH_CPU_PROFILE_DIR: process.env.BENCH_SIGNUPS_CPU_PROF }
          : {}),
      },
      { cores: SERVER_CORES },
    );
    const appRun = await drive(server.url, ctx, `${runId}a`);
    const m = appRun.measured.result;
    ctx.log(`signups (app): ${num(m.rps)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, ${JSON.stringify(appRun.measured.summary)}`);
    // Requests cut off when the load stopped may still commit; give them and the email sends time.
    const appCounts = await settle(appDb, fake.fake);
    if ([appRun.warmup, appRun.measured].some((run) => Object.keys(run.summary.statuses).some((code) => code.startsWith('5')))) {
      ctx.log(`signups: the app answered 5xx; the end of its log:\n${server.process.output().slice(-3000)}`);
    }
    await server.stop();
    server = undefined;

    const floorDb = await freshDatabase(ctx, databases, 'bench_signups_floor');
    floor = await startFloor(ctx.appDir, { DATABASE_URL: floorDb, NEWSLETTER_SECRET: secret, POOL_SIZE: String(POOL_SIZE) });
    const floorRun = await drive(floor.url, ctx, `${runId}f`);
    const f = floorRun.measured.result;
    ctx.log(`signups (floor): ${num(f.rps)} req/s, p50 ${f.p50} ms, p99 ${f.p99} ms, ${JSON.stringify(floorRun.measured.summary)}`);
    const floorCounts = await settle(floorDb);
    await floor.stop();
    floor = undefined;

    // The framework's own floor: an empty Next.js POST route, same server settings, same core.
    empty = await startAppServer(ctx.emptyDir, {}, { cores: SERVER_CORES });
    const e = await driveEmptyRoute(empty.url, ctx);
    ctx.log(`signups (empty Next.js route): ${num(e.rps)} req/s, p50 ${e.p50} ms, p99 ${e.p99} ms`);

    const app = verdicts({ run: appRun, counts: appCounts });
    const bare = verdicts({ run: floorRun, counts: floorCounts });
    const emailsOk = appCounts.deliveries === appCounts.sentRows && appCounts.unfinished === 0;
    const statuses = (run: Run) =>
      Object.entries(run.summary.statuses)
        .map(([code, n]) => `${code}: ${num(n)}`)
        .join(', ');
    const sockets = (r: WrkResult) => {
      const e = r.socketErrors;
      return e.connect + e.read + e.write + e.timeout === 0 ? 'none' : `connect ${e.connect}, read ${e.read}, write ${e.write}, timeout ${e.timeout}`;
    };
    const rows: string[][] = [
      ['Requests per second', num(m.rps), num(f.rps), `${(m.rps / f.rps).toFixed(2)}×`, num(e.rps), `${(m.rps / e.rps).toFixed(2)}×`],
      ['Latency p50 / p99 (ms)', `${m.p50} / ${m.p99}`, `${f.p50} / ${f.p99}`, '', `${e.p50} / ${e.p99}`, ''],
      ['Answers', statuses(appRun.measured), statuses(floorRun.measured), '', '', ''],
      ['Socket errors / timeouts', sockets(m), sockets(f), '', sockets(e), ''],
      ...app.rows.map((row, i) => [row[0]!, row[1]!, bare.rows[i]![1]!, '', '', '']),
      ['Outbox rows sent / still queued', `${num(appCounts.sentRows)} / ${num(appCounts.unfinished)}`, 'not sent (no worker)', '', '', ''],
      ['Emails received by the fake Resend', `${num(appCounts.deliveries)} in ${num(appCounts.requests)} requests (${appCounts.deliveries === appCounts.sentRows ? 'OK: one per sent row' : 'MISMATCH'})`, '', '', '', ''],
    ];
    const body = [
      `\`POST /api/newsletter/subscribe\` (JSON), ${connections} connections for ${durationSec} s (wrk, ${THREADS} threads, pinned to core ${LOAD_CORES}), ` +
        `after a ${Math.min(2, durationSec)} s warm-up at 10 connections. ${Math.round(repeatShare * 100)}% of requests repeat an address already sent. ` +
        `**App**: the production server pinned to core ${SERVER_CORES}, a fresh Postgres 15 database on 127.0.0.1 (created, migrated with lib/db/migrate.ts, ` +
        `dropped after), a pool of ${POOL_SIZE} connections, the fake Resend API (testing/fake-resend/cli.ts) receiving the confirmations. ` +
        `**Floor**: bench/signups-floor.ts, a bare node:http + pg server (pool of ${POOL_SIZE}, same core) running the same statements ` +
        '(lib/newsletter/signup-statements.ts) on a database of its own, without Next.js, Prisma or the email send. ' +
        '**Each request carries its own `X-Forwarded-For`** from 198.18.0.0/15 (reserved for benchmarks): one load generator is one IP, and ' +
        'the per-IP limit (10 per 10 minutes) would otherwise refuse almost all of it. 429s below are the per-address limit (3 per hour) on ' +
        'repeated addresses; bench/signups.lua matches every answer to its address by the echoed X-Request-Id. ' +
        `**Empty Next.js route**: \`POST ${EMPTY_ROUTE}\` in the empty Next.js app (a JSON body in, a JSON answer out, nothing else; ` +
        'its standalone server, same core, same load): what a route handler costs on this machine before any work of ours.',
      '',
      table(['Figure', 'App', 'Floor', 'App / floor', 'Empty Next.js route', 'App / empty route'], rows),
    ].join('\n');
    const problems = [...app.problems.map((p) => `app: ${p}`), ...bare.problems.map((p) => `floor: ${p}`)];
    if (!emailsOk) problems.push(`app: ${appCounts.deliveries} emails received for ${appCounts.sentRows} sent rows, ${appCounts.unfinished} unfinished`);
    if (problems.length > 0) throw new Error(`signups: the counts afterwards do not add up (${problems.join('; ')}):\n${body}`);
    return body;
  } finally {
    await server?.stop();
    await floor?.stop();
    await empty?.stop();
    await fake?.stop();
    for (const database of databases) await database.drop().catch((err) => ctx.log(`signups: could not drop ${database.name}: ${err}`));
  }
}

/** The empty route under the same load as a signup run: a warm-up at 10 connections, then the measured run. */
async function driveEmptyRoute(url: string, ctx: BenchContext): Promise<WrkResult> {
  const { connections, durationSec } = ctx.config.signups;
  const once = (seconds: number, c: number) => wrk(`${url}${EMPTY_ROUTE}`, { connections: c, durationSec: seconds, threads: THREADS, script: EMPTY_ROUTE_SCRIPT });
  await once(Math.min(2, durationSec), 10);
  const result = await once(durationSec, connections);
  if (result.non2xx3xx > 0) throw new Error(`signups: the empty Next.js route answered ${result.non2xx3xx} requests with an error`);
  return result;
}

async function freshDatabase(ctx: BenchContext, databases: TemporaryDatabase[], prefix: string): Promise<string> {
  const database = await createDatabase({ adminUrl: POSTGRES_SERVER, prefix });
  databases.push(database);
  const applied = await applyMigrations(database.url, { migrationsDir: path.join(ctx.appDir, 'prisma', 'migrations') });
  ctx.log(`signups: database ${database.name}, migrations applied: ${applied.length}`);
  return database.url;
}

/** `connection_limit` is the app's pool size (lib/db.ts); the floor gets the same number. */
function withConnectionLimit(url: string, limit: number): string {
  const parsed = new URL(url);
  parsed.searchParams.set('connection_limit', String(limit));
  return parsed.toString();
}

type Floor = { url: string; stop(): Promise<void> };

async function startFloor(appDir: string, env: Record<string, string>): Promise<Floor> {
  if (!existsSync(path.join(appDir, FLOOR_FILE))) throw new Error(`signups: ${FLOOR_FILE} is not in the copy being measured`);
  const port = await freePort();
  const tsx = path.join(appDir, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
  const child = startProcess(
    'signups floor',
    ...pinned(SERVER_CORES, process.execPath, ['--import', 'tsx', '--import', './scripts/lib/server-only.mjs', FLOOR_FILE]),
    { cwd: appDir, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', PORT: String(port), ...env }, group: true },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/`, { process: child });
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { url, stop: async () => void (await child.stop()) };
}

type Counts = { subscribers: number; confirmationRows: number; sentRows: number; unfinished: number; deliveries: number; requests: number };

/**
 * Counts the rows. With the fake provider (the app's side), first waits (up to 60 s) until the
 * outbox has nothing queued or in flight; the floor sends nothing, so its rows are counted at once.
 */
async function settle(databaseUrl: string, fake?: FakeResendProcess['fake']): Promise<Counts> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await sleep(1_000);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { rows } = await client.query<{ subscribers: string; confirmation: string; sent: string; unfinished: string }>(`
        SELECT (SELECT count(*) FROM subscribers) AS subscribers,
               (SELECT count(*) FROM outbox_emails WHERE kind = 'CONFIRMATION' AND status <> 'CANCELLED') AS confirmation,
               (SELECT count(*) FROM outbox_emails WHERE status = 'SENT') AS sent,
               (SELECT count(*) FROM outbox_emails WHERE status IN ('QUEUED', 'SENDING')) AS unfinished`);
      const row = rows[0]!;
      const counts: Counts = {
        subscribers: Number(row.subscribers),
        confirmationRows: Number(row.confirmation),
        sentRows: Number(row.sent),
        unfinished: Number(row.unfinished),
        deliveries: fake ? (await fake.deliveries()).length : 0,
        // Confirmations that piled up go out in provider batches: fewer requests than emails.
        requests: fake ? (await fake.requests()).length : 0,
      };
      if (!fake || counts.unfinished === 0 || Date.now() > deadline) return counts;
      await sleep(500);
    }
  } finally {
    await client.end();
  }
}
