/**
 * The newsletter, played as an attacker would, against the production server with nothing in
 * front of it (TRUSTED_PROXY_HOPS unset, the default for `node server.js`): X-Forwarded-For forged
 * twenty ways buys no bucket of its own and spends nobody else's; a form on another site cannot
 * sign anyone up; a mail provider's one-click unsubscribe still works; pages that carry tokens send
 * no Referer. Requests come from two loopback addresses (127.0.0.1 and 127.0.0.2: Linux routes all
 * of 127/8 to lo) so the server sees two real clients.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startFakeResend, type FakeResend } from '@/testing/fake-resend/server';
import { waitForHttp } from '@/testing/http';
import { freePort } from '@/testing/ports';
import { createDatabase, type TemporaryDatabase } from '@/testing/postgres';
import type { Child } from '@/testing/processes';
import { scenario } from './support/scenario';
import { containerEnv, copyStandalone, lastLines, runMigrate, startServer } from './support/standalone';

const API_KEY = 're_attacker_check_key';
const ATTACKER = '127.0.0.1';
const VICTIM = '127.0.0.2';

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string };

/** One request from the given local address, so the server's socket sees that client. */
function send(url: string, options: { from: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        localAddress: options.from,
        agent: false,
        headers: { connection: 'close', ...(options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }), ...options.headers },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    request.setTimeout(15_000, () => request.destroy(new Error('no answer within 15 s')));
    request.on('error', reject);
    request.end(options.body);
  });
}

const signup = (email: string, from: string, headers: Record<string, string> = {}) =>
  send(`${origin}/api/newsletter/subscribe`, {
    from,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ email }),
  });

let copy: Awaited<ReturnType<typeof copyStandalone>>;
let database: TemporaryDatabase;
let fake: FakeResend;
let server: Child;
let origin: string;
let sql: pg.Client;

beforeAll(async () => {
  copy = await copyStandalone('attacker-check');
  database = await createDatabase();
  fake = await startFakeResend({ apiKey: API_KEY });
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  const env = containerEnv({
    DATABASE_URL: database.url,
    PORT: String(port),
    // Every loopback address, so that 127.0.0.2 reaches it too.
    HOSTNAME: '0.0.0.0',
    SITE_URL: origin,
    NEWSLETTER_SECRET: randomBytes(32).toString('base64url'),
    RESEND_API_KEY: API_KEY,
    RESEND_BASE_URL: fake.url,
    EMAIL_FROM: 'Quorum <newsletter@example.com>',
    SHUTDOWN_DRAIN_SECONDS: '0',
  });
  const migrated = await runMigrate(copy.dir, env);
  expect(migrated.code, migrated.output).toBe(0);
  server = startServer('server.js', copy.dir, env);
  await waitForHttp(`${origin}/api/health/ready`, { process: server, timeoutMs: 60_000 });
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
});

afterAll(async () => {
  await sql?.end().catch(() => {});
  await server?.stop(1_000);
  await fake?.close();
  await database?.drop();
  await copy?.remove();
});

const step = scenario(() => `--- server log (last lines) ---\n${lastLines(server)}`);
const rows = async (pattern: string) => Number((await sql.query('SELECT count(*) FROM subscribers WHERE email LIKE $1', [pattern])).rows[0].count);
const forged = (i: number) => ({
  'x-forwarded-for': `203.0.113.${i}, ${VICTIM}`,
  'x-real-ip': `198.51.100.${i}`,
  forwarded: `for=192.0.2.${i}`,
});

describe('the production server, with no proxy in front, against an attacker', () => {
  step('20 signups with 20 forged X-Forwarded-For chains: 10 accepted, then 429 (the socket decides the bucket)', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 20; i += 1) statuses.push((await signup(`forged-${i}@example.com`, ATTACKER, forged(i))).status);
    expect(statuses).toEqual([...Array(10).fill(200), ...Array(10).fill(429)]);
    expect(await rows('forged-%@example.com')).toBe(10);
  });

  step("forging another client's address spent nothing of theirs: that client still signs up", async () => {
    // Every forged chain above named 127.0.0.2; its own bucket is untouched.
    const answer = await signup('victim-own@example.com', VICTIM);
    expect(answer.status, answer.body).toBe(200);
    expect(await rows('victim-own@example.com')).toBe(1);
  });

  step('a form on another site posting a victim\'s address: 403, no row, no email', async () => {
    const email = `bombed-${randomBytes(3).toString('hex')}@example.com`;
    const answer = await send(`${origin}/api/newsletter/subscribe`, {
      from: VICTIM,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams({ email }).toString(),
    });
    expect(answer.status).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // what an immediate send would have taken
    expect(await rows(email)).toBe(0);
    expect(fake.deliveries().filter((d) => d.to.includes(email))).toEqual([]);
  });

  step("a mail provider's one-click unsubscribe (no Origin, no Fetch Metadata) still works", async () => {
    const confirmation = await waitForDelivery('victim-own@example.com');
    const unsubscribeUrl = /^<(.+)>$/.exec(confirmation.headers['List-Unsubscribe']!)![1]!;
    const oneClick = await send(unsubscribeUrl, {
      from: VICTIM,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status, oneClick.body).toBe(200);
    const [row] = (await sql.query("SELECT status::text AS status FROM subscribers WHERE email = 'victim-own@example.com'")).rows;
    expect(row.status).toBe('UNSUBSCRIBED');

    // The same link opened in a browser is the manage page, and it hands no Referer to anyone.
    const opened = await send(unsubscribeUrl, { from: VICTIM });
    expect(opened.status).toBe(303);
    const page = await send(new URL(opened.headers.location!, origin).toString(), { from: VICTIM });
    expect(page.status).toBe(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect((await send(`${origin}/`, { from: VICTIM })).headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  });
});

async function waitForDelivery(address: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = fake.deliveries().find((d) => d.to.includes(address));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no email to ${address} within 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
