/**
 * 5. Signups: POST /api/newsletter/subscribe under load, against the real Postgres (a fresh
 * database, migrated with the project's own runner, dropped after) and the fake Resend API, then
 * the rows and the emails counted, to show the numbers are of correct work.
 *
 * Addresses: 70% new, 30% repeats of an address already sent (a reader submitting twice). The
 * service answers a repeat the same way but sends no second email within 10 minutes, and refuses
 * a 4th try for one address within the hour (429).
 *
 * Client IPs: the service allows 10 signups per IP per 10 minutes, and the load generator is one
 * IP. Every request therefore carries its own X-Forwarded-For (the header the app trusts from its
 * proxy), taken from 198.18.0.0/15, the block reserved for benchmarks (RFC 2544): the run measures
 * many readers signing up, not one client being rate limited. (Per virtual client would not do: at
 * these rates each of the 50 would pass 10 requests in the first seconds.) No traffic goes to those
 * addresses; they are only header values. Every request still goes through the IP check.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { AutocannonRequest } from 'autocannon';
import { applyMigrations } from '../lib/db/migrate';
import { startFakeResendProcess, type FakeResendProcess } from '../testing/fake-resend/process';
import { createDatabase } from '../testing/postgres';
import { sleep } from '../testing/wait';
import type { BenchContext } from './context';
import { errorSummary, load } from './lib/load';
import { num, table } from './lib/stats';
import { startAppServer, type AppServer } from './lib/workspace';

export const POSTGRES_SERVER = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const ROUTE_FILE = path.join('app', 'api', 'newsletter', 'subscribe', 'route.ts');

export const SIGNUPS_PLACEHOLDER = [
  '**pending: needs the newsletter API** (app/api/newsletter/subscribe/route.ts is not in this commit).',
  '',
  'Design: `POST /api/newsletter/subscribe` with 50 concurrent clients for 10 s against the real Postgres with a fresh ' +
    'database (migrated with lib/db/migrate.ts), 30% repeated addresses, the fake email server (testing/fake-resend/cli.ts); ' +
    'rows and queued emails counted afterwards.',
].join('\n');

/** Deterministic pseudo-random numbers (mulberry32), so every run sends the same mix. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 198.18.0.0/15 (RFC 2544, for benchmarks): 131,072 addresses. */
const benchIp = (n: number) => `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;

class Traffic {
  private readonly next = random(6);
  private sentCount = 0;
  readonly sent: string[] = []; // every address put in a request, in order
  readonly statusByAddress = new Map<string, number[]>();
  private readonly attempts = new Map<string, number>();
  /** 429 answers, and how many of them came on an address's 4th or later attempt (the per-address limit). */
  readonly refused = { total: 0, onFourthOrLater: 0 };
  constructor(
    private readonly runId: string,
    private readonly repeatShare: number,
  ) {}

  request(): AutocannonRequest {
    return {
      method: 'POST',
      path: '/api/newsletter/subscribe',
      setupRequest: (request, context) => {
        const n = this.sentCount++;
        const repeat = this.sent.length > 0 && this.next() < this.repeatShare;
        const email = repeat ? this.sent[Math.floor(this.next() * this.sent.length)]! : `reader-${this.runId}-${n}@example.com`;
        if (!repeat) this.sent.push(email);
        const attempt = (this.attempts.get(email) ?? 0) + 1;
        this.attempts.set(email, attempt);
        context.email = email;
        context.attempt = attempt;
        return {
          ...request,
          headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': benchIp(n) },
          body: JSON.stringify({ email, source: 'bench' }),
        };
      },
      onResponse: (status, _body, context) => {
        const email = context.email as string;
        const list = this.statusByAddress.get(email) ?? [];
        list.push(status);
        this.statusByAddress.set(email, list);
        if (status === 429) {
          this.refused.total += 1;
          if ((context.attempt as number) >= 4) this.refused.onFourthOrLater += 1;
        }
      },
    };
  }

  /** Addresses that got at least one 200: each must be exactly one subscriber row. */
  acceptedAddresses(): number {
    return [...this.statusByAddress.values()].filter((list) => list.includes(200)).length;
  }
}

export async function signupsBenchmark(ctx: BenchContext): Promise<string> {
  if (!existsSync(path.join(ctx.appDir, ROUTE_FILE))) return SIGNUPS_PLACEHOLDER;
  const { connections, durationSec, repeatShare } = ctx.config.signups;

  const database = await createDatabase({ adminUrl: POSTGRES_SERVER, prefix: 'bench_signups' });
  const databaseUrl = database.url;
  let fake: FakeResendProcess | undefined;
  let server: AppServer | undefined;
  try {
    const applied = await applyMigrations(databaseUrl, { migrationsDir: path.join(ctx.appDir, 'prisma', 'migrations') });
    ctx.log(`signups: database ${database.name}, migrations applied: ${applied.join(', ')}`);

    // The fake from the copy being measured (its testing/ and node_modules), as its own process.
    fake = await startFakeResendProcess({ root: ctx.appDir });
    server = await startAppServer(ctx.appDir, {
      DATABASE_URL: databaseUrl,
      RESEND_API_KEY: 're_bench_not_a_real_key',
      RESEND_BASE_URL: fake.url,
      EMAIL_FROM: 'The Publication <newsletter@example.com>',
      NEWSLETTER_SECRET: randomBytes(32).toString('base64url'),
      SITE_URL: 'http://127.0.0.1',
      // The load generator plays the proxy: each request's X-Forwarded-For is its client.
      TRUSTED_PROXY_HOPS: '1',
    });

    const traffic = new Traffic(String(Date.now()), repeatShare);
    // Warm-up (JIT, connection pool, Prisma's query compiler): counted in the checks, not the figures.
    await load(server.url, { connections: 10, durationSec: Math.min(2, durationSec), requests: [traffic.request()] });
    const warmupRequests = traffic.sent.length;
    const result = await load(server.url, { connections, durationSec, requests: [traffic.request()] });
    ctx.log(`signups: ${num(result.rps)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, statuses ${JSON.stringify(result.statusCounts)}`);

    // Requests cut off when the load stopped may still commit; give them and the email sends time.
    const counts = await settle(databaseUrl, fake.fake);
    const accepted = traffic.acceptedAddresses();
    const maxPossible = traffic.sent.length; // every address ever put in a request
    const rowsOk = counts.subscribers >= accepted && counts.subscribers <= maxPossible;
    const emailsOk = counts.confirmationRows === counts.subscribers && counts.deliveries === counts.sentRows && counts.unfinished === 0;
    const statuses = Object.entries(result.statusCounts)
      .map(([code, n]) => `${code}: ${num(n)}`)
      .join(', ');
    const rows: string[][] = [
      ['Requests per second', num(result.rps)],
      ['Latency p50 / p99 (ms)', `${result.p50} / ${result.p99}`],
      ['Answers', statuses],
      ['Connection errors / timeouts', errorSummary([result])],
      ['429 answers (warm-up included) on an address\'s 4th+ try within the hour', `${num(traffic.refused.onFourthOrLater)} of ${num(traffic.refused.total)}`],
      ['Distinct addresses sent (warm-up included) / answered 200', `${num(maxPossible)} / ${num(accepted)} (the rest were in flight when the load stopped)`],
      ['Subscriber rows afterwards', `${num(counts.subscribers)} (${rowsOk ? 'OK: at least one per address answered 200, at most one per address sent' : 'MISMATCH'})`],
      ['Confirmation emails queued (outbox rows)', `${num(counts.confirmationRows)} (${counts.confirmationRows === counts.subscribers ? 'OK: one per subscriber, none for repeats' : 'MISMATCH'})`],
      ['Outbox rows sent / still queued', `${num(counts.sentRows)} / ${num(counts.unfinished)}`],
      ['Emails received by the fake Resend', `${num(counts.deliveries)} (${counts.deliveries === counts.sentRows ? 'OK: one per sent row' : 'MISMATCH'})`],
    ];
    const body = [
      `\`POST /api/newsletter/subscribe\` (JSON), ${connections} connections for ${durationSec} s, after a ${Math.min(2, durationSec)} s warm-up ` +
        `at 10 connections (${num(warmupRequests)} addresses). ${Math.round(repeatShare * 100)}% of requests repeat an address already sent. ` +
        'Production server with a fresh Postgres 15 database on 127.0.0.1 (created, migrated with lib/db/migrate.ts, dropped after) and ' +
        'the fake Resend API (testing/fake-resend/cli.ts). **Each request carries its own `X-Forwarded-For`** from 198.18.0.0/15 ' +
        '(reserved for benchmarks): one load generator is one IP, and the per-IP limit (10 per 10 minutes) would otherwise refuse ' +
        'almost all of it. 429s below are the per-address limit (3 per hour) on repeated addresses. One run: no comparison ' +
        'side exists yet for this figure.',
      '',
      table(['Figure', 'Value'], rows),
    ].join('\n');
    if (!rowsOk || !emailsOk) {
      throw new Error(`signups: the counts afterwards do not add up:\n${body}`);
    }
    return body;
  } finally {
    await server?.stop();
    await fake?.stop();
    await database.drop().catch((err) => ctx.log(`signups: could not drop ${database.name}: ${err}`));
  }
}

type Counts = { subscribers: number; confirmationRows: number; sentRows: number; unfinished: number; deliveries: number };

/** Waits (up to 60 s) until the outbox has nothing queued or in flight, then counts. */
async function settle(databaseUrl: string, fake: FakeResendProcess['fake']): Promise<Counts> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await sleep(1_000);
    const deadline = Date.now() + 60_000;
    let counts: Counts;
    for (;;) {
      const { rows } = await client.query<{ subscribers: string; confirmation: string; sent: string; unfinished: string }>(`
        SELECT (SELECT count(*) FROM subscribers) AS subscribers,
               (SELECT count(*) FROM outbox_emails WHERE kind = 'CONFIRMATION' AND status <> 'CANCELLED') AS confirmation,
               (SELECT count(*) FROM outbox_emails WHERE status = 'SENT') AS sent,
               (SELECT count(*) FROM outbox_emails WHERE status IN ('QUEUED', 'SENDING')) AS unfinished`);
      const row = rows[0]!;
      counts = {
        subscribers: Number(row.subscribers),
        confirmationRows: Number(row.confirmation),
        sentRows: Number(row.sent),
        unfinished: Number(row.unfinished),
        deliveries: (await fake.deliveries()).length,
      };
      if (counts.unfinished === 0 || Date.now() > deadline) return counts;
      await sleep(500);
    }
  } finally {
    await client.end();
  }
}
