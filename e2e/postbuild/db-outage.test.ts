/**
 * A database outage in the middle of a run, against the production server (.next/standalone),
 * without restarting it:
 *   1. up: the server talks to a fresh, migrated database on the test Postgres through a TCP proxy
 *      (testing/tcp-proxy.ts), so the test can take the database away and give it back; pages,
 *      feeds, readiness and a signup all work;
 *   2. down, two ways: (a) refused: every open connection is cut and new ones are refused, as when
 *      Postgres stops; (b) silent: connections are accepted but nothing ever answers, as in a
 *      network partition. Each time: the home page, an article page, /rss.xml and the 404 page keep
 *      answering (they are static or read content/, never the database); /api/health/live stays
 *      200; /api/health/ready answers 503 "database unreachable"; POST /api/newsletter/subscribe
 *      answers 503 JSON with a message and Retry-After, within a bounded time, and writes nothing;
 *   3. back: with the proxy restored, readiness returns to 200 and a new signup answers 200 and is
 *      stored, in the same server process; no log line holds a signup's address.
 * The same scenario in process, against the app's own client: test/reliability/db-outage.test.ts.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startFakeResend, type FakeResend } from '@/testing/fake-resend/server';
import { waitForHttp } from '@/testing/http';
import { freePort } from '@/testing/ports';
import { createDatabase, type TemporaryDatabase } from '@/testing/postgres';
import type { Child } from '@/testing/processes';
import { startTcpProxy, type TcpProxy } from '@/testing/tcp-proxy';
import { until } from '@/testing/wait';
import { scenario } from './support/scenario';
import { containerEnv, lastLines, runMigrate, startServer, STANDALONE } from './support/standalone';

/** A request during the outage must be answered within this (the app's own timeouts are shorter). */
const OUTAGE_ANSWER_MS = 15_000;

/** fetch with a deadline: a hung request is a failure to report, not a hung test. */
async function timed(url: string, init: RequestInit = {}, ms = OUTAGE_ANSWER_MS): Promise<{ response: Response; body: string; ms: number }> {
  const started = Date.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(ms), redirect: 'manual' }).catch((err: Error) => {
    throw new Error(`${init.method ?? 'GET'} ${new URL(url).pathname}: no answer within ${ms} ms (${err.name}: ${err.message})`);
  });
  const body = await response.text();
  return { response, body, ms: Date.now() - started };
}

let database: TemporaryDatabase;
let proxy: TcpProxy;
let fake: FakeResend;
let server: Child;
let origin: string;
const timings: string[] = [];
/** Every address this run signed up (the log must hold none of them). */
const addresses: string[] = [];

beforeAll(async () => {
  database = await createDatabase();
  const migrate = await runMigrate(STANDALONE, { PATH: process.env.PATH ?? '', NODE_ENV: 'production', DATABASE_URL: database.url });
  expect(migrate.code, `migrate.mjs exit code; output:\n${migrate.output}`).toBe(0);

  const direct = new URL(database.url);
  proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  fake = await startFakeResend({ apiKey: 're_outage_check' });
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  const throughProxy = new URL(database.url);
  throughProxy.hostname = '127.0.0.1';
  throughProxy.port = String(proxy.port);
  server = startServer(
    'server.js',
    STANDALONE,
    containerEnv({
      PORT: String(port),
      HOSTNAME: '127.0.0.1',
      DATABASE_URL: throughProxy.toString(),
      SITE_URL: origin,
      NEWSLETTER_SECRET: randomBytes(32).toString('base64url'),
      RESEND_API_KEY: 're_outage_check',
      RESEND_BASE_URL: fake.url,
      EMAIL_FROM: 'Outage Check <newsletter@example.com>',
      SHUTDOWN_DRAIN_SECONDS: '0',
      // Each signup names its own client in X-Forwarded-For (distinct rate-limit buckets); the
      // one hop the app trusts is this test's own socket.
      TRUSTED_PROXY_HOPS: '1',
    }),
    { keepBytes: 8 * 1024 * 1024 },
  );
}, 120_000);

afterAll(async () => {
  await server?.stop(10_000);
  await proxy?.close();
  await fake?.close();
  await database?.drop();
  if (timings.length > 0) console.log(`db-outage: ${timings.join('; ')}`);
});

let signups = 0;
async function signup() {
  signups += 1;
  const email = `outage-${signups}-${randomBytes(4).toString('hex')}@example.com`;
  addresses.push(email);
  const answer = await timed(`${origin}/api/newsletter/subscribe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': `198.51.100.${signups}` },
    body: JSON.stringify({ email }),
  });
  return { email, ...answer };
}

/** Rows for `email`, read straight from the database (not through the proxy). */
async function stored(email: string): Promise<number> {
  const client = new pg.Client({ connectionString: database.url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM subscribers WHERE email = $1', [email])).rows[0]!.n;
  } finally {
    await client.end();
  }
}

const step = scenario(() => `--- server log (last lines) ---\n${lastLines(server)}`);
let pages: string[] = [];
let article = '';

describe('a database outage under the production server', () => {
  describe('1. up', () => {
    step('readiness 200; a signup is stored; the home page, an article and the feed answer', async () => {
      await waitForHttp(`${origin}/api/health/ready`, { process: server, timeoutMs: 30_000, everyMs: 100 });
      const rss = await timed(`${origin}/rss.xml`);
      expect(rss.response.status, 'rss.xml').toBe(200);
      const link = /<item>[\s\S]*?<link>([^<]+)<\/link>/.exec(rss.body)?.[1];
      expect(link, 'rss.xml has no item with a link').toBeDefined();
      article = new URL(link!).pathname;
      pages = ['/', article, '/rss.xml'];

      const before = await signup();
      expect(before.response.status, `signup before the outage: ${before.body}`).toBe(200);
      expect(await stored(before.email), 'the signup before the outage was not stored').toBe(1);
      for (const page of pages) expect((await timed(`${origin}${page}`)).response.status, `${page} before the outage`).toBe(200);
    });
  });

  for (const mode of ['refuse', 'silent'] as const) {
    describe(`2. down (${mode === 'refuse' ? 'refused: Postgres stopped' : 'silent: a network partition'}), then 3. back`, () => {
      let cutAt = 0;
      let during: Awaited<ReturnType<typeof signup>>;

      step(`readiness answers 503 "database unreachable" (${mode})`, async () => {
        proxy.set(mode);
        cutAt = Date.now();
        const ready = await until(`readiness to fail (${mode})`, OUTAGE_ANSWER_MS, async () => {
          const answer = await timed(`${origin}/api/health/ready`);
          return answer.response.status === 503 ? answer : undefined;
        });
        expect(JSON.parse(ready.body).reason, `ready (${mode}): ${ready.body}`).toBe('database unreachable');
        timings.push(`${mode}: ready 503 after ${Date.now() - cutAt} ms`);
      });

      step(`a signup answers 503 JSON with a message and Retry-After, in bounded time (${mode})`, async () => {
        during = await signup();
        expect(during.response.status, `signup during the outage (${mode}): ${during.body}`).toBe(503);
        const body = JSON.parse(during.body) as { ok?: boolean; error?: string };
        expect(body.ok === false && typeof body.error === 'string' && body.error.length > 10, `signup 503 (${mode}) without a message: ${during.body}`).toBe(true);
        expect(during.response.headers.get('retry-after'), `signup 503 (${mode}) without Retry-After`).not.toBeNull();
        timings.push(`${mode}: subscribe 503 in ${during.ms} ms`);
      });

      step(`pages, the feed, the 404 page and live keep answering, the server keeps running (${mode})`, async () => {
        for (const page of [...pages, '/', article]) {
          const answer = await timed(`${origin}${page}`);
          expect(answer.response.status, `${page} during the outage (${mode})`).toBe(200);
          expect(answer.ms, `${page} during the outage (${mode}) took too long (ms)`).toBeLessThan(5_000);
        }
        const missing = await timed(`${origin}/articles/no-such-article-${randomBytes(3).toString('hex')}`);
        expect(missing.response.status, `the 404 page during the outage (${mode})`).toBe(404);
        expect((await timed(`${origin}/api/health/live`)).response.status, `live during the outage (${mode})`).toBe(200);
        expect(server.running, `the server exited during the outage (${mode})`).toBe(true);
      });

      step(`back: readiness 200, a new signup stored, the refused one not, in the same process (${mode})`, async () => {
        proxy.set('up');
        const restoredAt = Date.now();
        await until(`readiness after restoring (${mode})`, 30_000, async () => (await timed(`${origin}/api/health/ready`)).response.status === 200);
        timings.push(`${mode}: ready 200 again after ${Date.now() - restoredAt} ms`);
        const after = await until(`a signup to succeed after restoring (${mode})`, 30_000, async () => {
          const answer = await signup();
          return answer.response.status === 200 ? answer : undefined;
        });
        expect(await stored(after.email), `the signup after restoring (${mode}) was not stored`).toBe(1);
        expect(await stored(during.email), `the signup refused during the outage (${mode}) was stored`).toBe(0);
        timings.push(`${mode}: signup 200 again after ${Date.now() - restoredAt} ms`);
      });
    });
  }

  describe('afterwards', () => {
    step('the server never exited; the log shows the outage and holds no signup address', () => {
      expect(server.running, 'the server exited').toBe(true);
      const log = server.output();
      expect(log, 'the outage left no trace in the log').toMatch(/database-unavailable|database unreachable/);
      expect(addresses.filter((address) => log.includes(address)), 'the log holds a signup address').toEqual([]);
    });
  });
});
