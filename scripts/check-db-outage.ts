// npx tsx scripts/check-db-outage.ts        (after `next build`; npm run test:e2e runs it)
//
// A database outage in the middle of a run, against the production server (.next/standalone,
// completed by scripts/prepare-standalone.mjs), without restarting it:
//   1. up: the server talks to a fresh, migrated database on the test Postgres through a TCP proxy
//      written here (node:net), so this script can take the database away and give it back;
//      pages, feeds, readiness and a signup all work;
//   2. down, two ways: (a) refused: every open connection is cut and new ones are refused, as when
//      Postgres stops; (b) silent: connections are accepted but nothing ever answers, as in a
//      network partition. Each time: the home page, an article page, /rss.xml and the 404 page keep
//      answering (they are static or read content/, never the database); /api/health/live stays
//      200; /api/health/ready answers 503 "database unreachable"; POST /api/newsletter/subscribe
//      answers 503 JSON with a message and Retry-After, within a bounded time, and writes nothing;
//   3. back: with the proxy restored, readiness returns to 200 and a new signup answers 200 and is
//      stored, in the same server process; no log line holds a signup's address.
// Exits 1 with the server's log on the first failure. Bounded: every wait has a deadline.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startFakeResend, type FakeResend } from '../testing/fake-resend/server';
import { startTcpProxy, type TcpProxy } from '../testing/tcp-proxy';
import { freePort, sleep, until, withAdmin } from './lib/checks.mjs';
// @ts-expect-error: a plain ES module without types (shared with the Dockerfile and check-standalone).
import { prepareStandalone } from './prepare-standalone.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL?.trim() || 'postgresql://postgres@127.0.0.1:5432/postgres';
/** A request during the outage must be answered within this (the app's own timeouts are shorter). */
const OUTAGE_ANSWER_MS = 15_000;

let checks = 0;
function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
  checks += 1;
}

// ---------------------------------------------------------------------------------------------

function databaseUrl(host: string, port: number, name: string): string {
  const url = new URL(ADMIN_URL);
  url.hostname = host;
  url.port = String(port);
  url.pathname = `/${name}`;
  return url.toString();
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** fetch with a deadline: a hung request is a failure to report, not a hung script. */
async function timed(url: string, init: RequestInit = {}, ms = OUTAGE_ANSWER_MS): Promise<{ response: Response; body: string; ms: number }> {
  const started = Date.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(ms), redirect: 'manual' }).catch((err: Error) => {
    throw new Error(`${init.method ?? 'GET'} ${new URL(url).pathname}: no answer within ${ms} ms (${err.name}: ${err.message})`);
  });
  const body = await response.text();
  return { response, body, ms: Date.now() - started };
}

async function main(): Promise<void> {
  const standaloneServer = path.join(root, '.next', 'standalone', 'server.js');
  if (!existsSync(standaloneServer)) {
    throw new Error(`no production build: ${path.relative(root, standaloneServer)} is missing; run \`next build\` first`);
  }
  const standalone: string = await prepareStandalone({ root, log: () => {} });

  const name = `pubtest_${Math.floor(Date.now() / 1000)}_${randomBytes(6).toString('hex')}`;
  const admin = new URL(ADMIN_URL);
  const direct = databaseUrl(admin.hostname, Number(admin.port || 5432), name);
  let proxy: TcpProxy | undefined;
  let fake: FakeResend | undefined;
  let server: ChildProcess | undefined;
  let serverLog = '';
  const timings: string[] = [];

  try {
    await withAdmin(ADMIN_URL, (client) => client.query(`CREATE DATABASE "${name}"`));
    const migrate = await run(process.execPath, [path.join(standalone, 'migrate.mjs')], { PATH: process.env.PATH ?? '', NODE_ENV: 'production', DATABASE_URL: direct }, os.tmpdir());
    check(migrate.code === 0, `migrate.mjs exited ${migrate.code}:\n${migrate.output}`);

    proxy = await startTcpProxy({ host: admin.hostname, port: Number(admin.port || 5432) });
    fake = await startFakeResend({ apiKey: 're_outage_check' });
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [standaloneServer], {
      cwd: os.tmpdir(),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: os.tmpdir(),
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        PORT: String(port),
        HOSTNAME: '127.0.0.1',
        DATABASE_URL: databaseUrl('127.0.0.1', proxy.port, name),
        SITE_URL: origin,
        NEWSLETTER_SECRET: randomBytes(32).toString('base64url'),
        RESEND_API_KEY: 're_outage_check',
        RESEND_BASE_URL: fake.url,
        EMAIL_FROM: 'Outage Check <newsletter@example.com>',
        SHUTDOWN_DRAIN_SECONDS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (chunk) => (serverLog += chunk));
    server.stderr!.on('data', (chunk) => (serverLog += chunk));
    let exited = false;
    server.on('exit', () => (exited = true));

    // 1. Up.
    await until('readiness', 30_000, async () => (await fetch(`${origin}/api/health/ready`)).status === 200);
    const rss = await timed(`${origin}/rss.xml`);
    check(rss.response.status === 200, `rss.xml: ${rss.response.status}`);
    const link = /<item>[\s\S]*?<link>([^<]+)<\/link>/.exec(rss.body)?.[1];
    check(link, 'rss.xml has no item with a link');
    const article = new URL(link).pathname;
    const pages = ['/', article, '/rss.xml'];

    let signups = 0;
    const signup = async () => {
      signups += 1;
      const email = `outage-${signups}-${randomBytes(4).toString('hex')}@example.com`;
      const answer = await timed(`${origin}/api/newsletter/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': `198.51.100.${signups}` },
        body: JSON.stringify({ email }),
      });
      return { email, ...answer };
    };
    /** Rows for `email`, read straight from the database (not through the proxy). */
    const stored = async (email: string): Promise<number> => {
      const client = new pg.Client({ connectionString: direct, connectionTimeoutMillis: 5_000 });
      await client.connect();
      try {
        return (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM subscribers WHERE email = $1', [email])).rows[0]!.n;
      } finally {
        await client.end();
      }
    };

    const before = await signup();
    check(before.response.status === 200, `signup before the outage: ${before.response.status} ${before.body}`);
    check((await stored(before.email)) === 1, 'the signup before the outage was not stored');
    for (const page of pages) check((await timed(`${origin}${page}`)).response.status === 200, `${page} before the outage`);

    // 2. Down, twice: refused, then silent.
    const addresses = [before.email];
    for (const mode of ['refuse', 'silent'] as const) {
      proxy.set(mode);
      const cutAt = Date.now();

      const ready = await until(`readiness to fail (${mode})`, OUTAGE_ANSWER_MS, async () => {
        const answer = await timed(`${origin}/api/health/ready`);
        return answer.response.status === 503 ? answer : undefined;
      });
      check(JSON.parse(ready.body).reason === 'database unreachable', `ready (${mode}): ${ready.body}`);
      timings.push(`${mode}: ready 503 after ${Date.now() - cutAt} ms`);

      const during = await signup();
      addresses.push(during.email);
      check(during.response.status === 503, `signup during the outage (${mode}): ${during.response.status} ${during.body}`);
      const body = JSON.parse(during.body) as { ok?: boolean; error?: string };
      check(body.ok === false && typeof body.error === 'string' && body.error.length > 10, `signup 503 (${mode}) without a message: ${during.body}`);
      check(during.response.headers.get('retry-after') !== null, `signup 503 (${mode}) without Retry-After`);
      timings.push(`${mode}: subscribe 503 in ${during.ms} ms`);

      for (const page of [...pages, '/', article]) {
        const answer = await timed(`${origin}${page}`);
        check(answer.response.status === 200, `${page} during the outage (${mode}): ${answer.response.status}`);
        check(answer.ms < 5_000, `${page} during the outage (${mode}) took ${answer.ms} ms`);
      }
      const missing = await timed(`${origin}/articles/no-such-article-${randomBytes(3).toString('hex')}`);
      check(missing.response.status === 404, `the 404 page during the outage (${mode}): ${missing.response.status}`);
      check((await timed(`${origin}/api/health/live`)).response.status === 200, `live during the outage (${mode})`);
      check(!exited, `the server exited during the outage (${mode})`);

      // 3. Back, in the same process.
      proxy.set('up');
      const restoredAt = Date.now();
      await until(`readiness after restoring (${mode})`, 30_000, async () => (await timed(`${origin}/api/health/ready`)).response.status === 200);
      timings.push(`${mode}: ready 200 again after ${Date.now() - restoredAt} ms`);
      const after = await until(`a signup to succeed after restoring (${mode})`, 30_000, async () => {
        const answer = await signup();
        addresses.push(answer.email);
        return answer.response.status === 200 ? answer : undefined;
      });
      check((await stored(after.email)) === 1, `the signup after restoring (${mode}) was not stored`);
      check((await stored(during.email)) === 0, `the signup refused during the outage (${mode}) was stored`);
      timings.push(`${mode}: signup 200 again after ${Date.now() - restoredAt} ms`);
    }
    check(!exited, 'the server exited');
    check(/database-unavailable|database unreachable/.test(serverLog), 'the outage left no trace in the log');
    for (const address of addresses) check(!serverLog.includes(address), 'the log holds a signup address');

    console.log(`check-db-outage: ok (${checks} checks; ${timings.join('; ')})`);
  } catch (err) {
    console.error(`check-db-outage: FAILED: ${(err as Error).message}`);
    if (serverLog) console.error(`--- server log ---\n${serverLog.split('\n').slice(-40).join('\n')}`);
    process.exitCode = 1;
  } finally {
    if (server && server.exitCode === null && server.signalCode === null) {
      const gone = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await Promise.race([gone, sleep(10_000)]);
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    }
    await proxy?.close();
    await fake?.close();
    await withAdmin(ADMIN_URL, async (client) => {
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      await client.query(`DROP DATABASE IF EXISTS "${name}"`);
    }).catch((err: Error) => console.error(`check-db-outage: could not drop ${name}: ${err.message}`));
  }
}

main().catch((err: Error) => {
  console.error(`check-db-outage: FAILED: ${err.message}`);
  process.exit(1);
});
