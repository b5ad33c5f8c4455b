import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import {
  clientAt,
  closedPort,
  formRequest,
  fromClient,
  jsonRequest,
  type NewsletterTestEnv,
  secondClient,
  SITE,
  startNewsletterTestEnv,
  uniqueEmail,
  uniqueIp,
} from './support';

const dbState = await vi.hoisted(async () => (await import('./email-env')).hoistedTestState());
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('./mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), dbState),
);

import { POST as subscribeRoute } from '@/app/api/newsletter/subscribe/route';
import { createPrismaClient } from '@/lib/db';
import { RateLimitedError } from '@/lib/newsletter/errors';
import { waitForImmediateSends } from '@/lib/newsletter/immediate';
import { consumeRateLimit, SUBSCRIBE_RATE_LIMITS } from '@/lib/newsletter/rate-limit';
import { CONFIRMATION_RESEND_INTERVAL_MS, subscribe, unsubscribe } from '@/lib/newsletter/service';
import { createManageToken } from '@/lib/newsletter/tokens';
import { newsletterSecret } from '@/lib/env';

/** Signups through the real route handler, the real Postgres and the real resend SDK (fake API). */

const URL_SUBSCRIBE = `${SITE}/api/newsletter/subscribe`;
let t: NewsletterTestEnv;

beforeAll(async () => {
  t = await startNewsletterTestEnv(dbState);
}, 60_000);
afterAll(async () => {
  await waitForImmediateSends();
  await t?.close();
});
beforeEach(() => t.fake.reset());

async function post(body: unknown, ip = uniqueIp()): Promise<Response> {
  const response = await subscribeRoute(jsonRequest(URL_SUBSCRIBE, body, { headers: fromClient(ip) }));
  await waitForImmediateSends();
  return response;
}

const rowsFor = (email: string) => t.prisma.subscriber.findMany({ where: { email } });
const deliveriesTo = (email: string) => t.fake.deliveries().filter((d) => d.to.includes(email));

describe('POST /api/newsletter/subscribe', () => {
  it('stores a new address as PENDING and delivers one confirmation email with RFC 8058 headers, keyed by the outbox id', async () => {
    const email = uniqueEmail();
    const response = await post({ email: `  ${email.toUpperCase()} `, source: 'article:hello' });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, message: 'Check your inbox to confirm your subscription.' });
    const rows = await rowsFor(email);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'PENDING', source: 'article:hello' });

    const outbox = await t.prisma.outboxEmail.findMany({ where: { subscriberId: rows[0]!.id } });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ kind: 'CONFIRMATION', status: 'SENT', attempts: 1 });
    // The sealed token is erased once the row is sent: the database keeps no usable link.
    expect(outbox[0]!.payload).not.toHaveProperty('sealedToken');

    const [delivery] = deliveriesTo(email);
    expect(deliveriesTo(email)).toHaveLength(1);
    expect(delivery!.idempotencyKey).toBe(outbox[0]!.id);
    expect(outbox[0]!.providerMessageId).toBe(delivery!.id);
    expect(delivery!.subject).toMatch(/Confirm your subscription/);
    expect(delivery!.headers['List-Unsubscribe']).toMatch(/^<http:\/\/localhost:3000\/api\/newsletter\/unsubscribe\?token=[A-Za-z0-9_-]{43}>$/);
    expect(delivery!.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(delivery!.text).toMatch(/http:\/\/localhost:3000\/newsletter\/confirm\?token=[A-Za-z0-9_-]{43}/);
    // Only the hash is stored.
    const token = /confirm\?token=([A-Za-z0-9_-]{43})/.exec(delivery!.text!)![1]!;
    const stored = await t.prisma.confirmationToken.findMany({ where: { subscriberId: rows[0]!.id } });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored[0]!.tokenHash).not.toContain(token);
  });

  it('answers a new, a pending and a confirmed address identically, and emails the confirmed one nothing', async () => {
    const email = uniqueEmail();
    const first = await post({ email });
    const second = await post({ email }); // pending, confirmation sent a moment ago
    await t.prisma.subscriber.update({ where: { email }, data: { status: 'CONFIRMED', confirmedAt: new Date(), lastConfirmationSentAt: new Date(0) } });
    const third = await post({ email }); // confirmed

    const bodies = await Promise.all([first, second, third].map((r) => r.text()));
    expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
    expect(new Set(bodies).size).toBe(1);
    expect(deliveriesTo(email)).toHaveLength(1);
    expect(await t.prisma.outboxEmail.count({ where: { toAddress: email } })).toBe(1);
    expect(await rowsFor(email)).toHaveLength(1);
  });

  it('resends to a pending address only once its last confirmation is 10 minutes old (injected clock)', async () => {
    const email = uniqueEmail();
    const start = new Date('2030-01-01T12:00:00Z');
    const at = (ms: number) => () => new Date(start.getTime() + ms);
    const ip = uniqueIp();

    await subscribe({ email }, { client: clientAt(ip), now: at(0), sendImmediately: false });
    await subscribe({ email }, { client: clientAt(ip), now: at(CONFIRMATION_RESEND_INTERVAL_MS - 1_000), sendImmediately: false });
    expect(await t.prisma.outboxEmail.count({ where: { toAddress: email, kind: 'CONFIRMATION' } })).toBe(1);

    await subscribe({ email }, { client: clientAt(ip), now: at(CONFIRMATION_RESEND_INTERVAL_MS + 1_000), sendImmediately: false });
    const rows = await t.prisma.outboxEmail.findMany({ where: { toAddress: email }, orderBy: { createdAt: 'asc' } });
    expect(rows).toHaveLength(2);
    // The unsent first one is superseded: one email goes out, with the newest link.
    expect(rows.map((r) => r.status)).toEqual(['CANCELLED', 'QUEUED']);
    expect(await t.prisma.confirmationToken.count({ where: { subscriber: { email } } })).toBe(2);
  });

  it('treats concurrent identical signups as one: one row, one confirmation, every answer 200', async () => {
    const email = uniqueEmail('race');
    const responses = await Promise.all(
      Array.from({ length: 3 }, () => subscribeRoute(jsonRequest(URL_SUBSCRIBE, { email }, { headers: fromClient(uniqueIp()) }))),
    );
    await waitForImmediateSends();
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await rowsFor(email)).toHaveLength(1);
    expect(await t.prisma.outboxEmail.count({ where: { toAddress: email } })).toBe(1);
    expect(deliveriesTo(email)).toHaveLength(1);
  });

  it('answers a filled honeypot exactly like success and writes nothing', async () => {
    const email = uniqueEmail('bot');
    const buckets = await t.prisma.rateLimitBucket.count();
    const response = await post({ email, website: 'http://spam.example' });
    const ok = await post({ email: uniqueEmail() });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(await ok.text());
    expect(await rowsFor(email)).toHaveLength(0);
    expect(deliveriesTo(email)).toHaveLength(0);
    // Only the real signup above touched the rate-limit table (its IP and address buckets).
    expect(await t.prisma.rateLimitBucket.count()).toBe(buckets + 2);
  });

  it('refuses an invalid address with 400 and the field message, writing nothing', async () => {
    const before = await Promise.all([t.prisma.subscriber.count(), t.prisma.rateLimitBucket.count(), t.prisma.outboxEmail.count()]);
    for (const email of ['not-an-email', '', 'a@b', `${'x'.repeat(250)}@example.com`]) {
      const response = await post({ email });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { ok: boolean; error: string; fieldErrors: { email: string[] } };
      expect(body.ok).toBe(false);
      expect(body.fieldErrors.email[0]).toMatch(/email address/i);
      expect(body.error).toBe(body.fieldErrors.email[0]);
    }
    const missing = await post({});
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { fieldErrors: { email: string[] } }).fieldErrors.email).toEqual(['Enter your email address.']);
    const after = await Promise.all([t.prisma.subscriber.count(), t.prisma.rateLimitBucket.count(), t.prisma.outboxEmail.count()]);
    expect(after).toEqual(before);
  });

  it('answers with X-Request-Id itself (proxy.ts does not run here): a sane incoming id kept, a bad one replaced, on success and on errors', async () => {
    const kept = await subscribeRoute(jsonRequest(URL_SUBSCRIBE, { email: uniqueEmail() }, { headers: { ...fromClient(uniqueIp()), 'x-request-id': 'lb-7:abc' } }));
    await waitForImmediateSends();
    expect(kept.status).toBe(200);
    expect(kept.headers.get('x-request-id')).toBe('lb-7:abc');
    const replaced = await subscribeRoute(jsonRequest(URL_SUBSCRIBE, { email: 'not an address' }, { headers: { 'x-request-id': 'two words' } }));
    expect(replaced.status).toBe(400);
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('answers 415 to a content type it does not read, and 400 to broken JSON', async () => {
    const count = await t.prisma.subscriber.count();
    const text = await subscribeRoute(
      new Request(URL_SUBSCRIBE, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'email=a@example.com' }),
    );
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ ok: false, code: 'unsupported-media-type' });
    const broken = await subscribeRoute(new Request(URL_SUBSCRIBE, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' }));
    expect(broken.status).toBe(400);
    expect(await t.prisma.subscriber.count()).toBe(count);
  });

  it('answers 413 to a body over 8 KB, by Content-Length and by the bytes actually read', async () => {
    const email = uniqueEmail('big');
    const big = JSON.stringify({ email, source: 'home', padding: 'x'.repeat(9_000) });
    const declared = await subscribeRoute(new Request(URL_SUBSCRIBE, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(big.length) }, body: big }));
    expect(declared.status).toBe(413);

    // A streamed body has no Content-Length: only counting the bytes catches it.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i += 1) controller.enqueue(new TextEncoder().encode(i === 0 ? big.slice(0, 1000) : 'x'.repeat(1000)));
        controller.close();
      },
    });
    const streamed = new Request(URL_SUBSCRIBE, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.headers.get('content-length')).toBeNull();
    const response = await subscribeRoute(streamed);
    expect(response.status).toBe(413);

    // A lying Content-Length (small) does not help either.
    const lying = new Request(URL_SUBSCRIBE, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '10' }, body: big });
    expect((await subscribeRoute(lying)).status).toBe(413);
    expect(await rowsFor(email)).toHaveLength(0);
  });

  it('serves the no-JavaScript form: 303 to check-inbox, or to the error page with a reason', async () => {
    const email = uniqueEmail('form');
    const ok = await subscribeRoute(formRequest(URL_SUBSCRIBE, { email, source: 'home', website: '' }, { headers: fromClient(uniqueIp()) }));
    await waitForImmediateSends();
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/newsletter/check-inbox');
    expect(await rowsFor(email)).toHaveLength(1);
    expect(deliveriesTo(email)).toHaveLength(1);

    const bad = await subscribeRoute(formRequest(URL_SUBSCRIBE, { email: 'nope' }));
    expect(bad.status).toBe(303);
    expect(bad.headers.get('location')).toBe('/newsletter/error?reason=invalid-email');

    const multipart = new FormData();
    multipart.set('email', uniqueEmail('multi'));
    const viaMultipart = await subscribeRoute(new Request(URL_SUBSCRIBE, { method: 'POST', body: multipart, headers: fromClient(uniqueIp()) }));
    await waitForImmediateSends();
    expect(viaMultipart.status).toBe(303);
    expect(viaMultipart.headers.get('location')).toBe('/newsletter/check-inbox');
    expect(await rowsFor(String(multipart.get('email')))).toHaveLength(1);
  });

  it('resubscribes an unsubscribed address through the normal double opt-in', async () => {
    const email = uniqueEmail('again');
    await post({ email });
    const subscriber = await t.prisma.subscriber.findUniqueOrThrow({ where: { email } });
    await unsubscribe(createManageToken(subscriber.id, newsletterSecret()));
    expect((await t.prisma.subscriber.findUniqueOrThrow({ where: { email } })).status).toBe('UNSUBSCRIBED');

    const response = await post({ email });
    expect(response.status).toBe(200);
    const after = await t.prisma.subscriber.findUniqueOrThrow({ where: { email } });
    expect(after).toMatchObject({ id: subscriber.id, status: 'PENDING', unsubscribedAt: null });
    expect(deliveriesTo(email)).toHaveLength(2);
    expect(deliveriesTo(email).every((d) => /Confirm your subscription/.test(d.subject))).toBe(true);
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After once one IP exceeds its limit', async () => {
    const ip = uniqueIp();
    const { limit, windowMs } = SUBSCRIBE_RATE_LIMITS.ip;
    for (let i = 0; i < limit; i += 1) expect((await post({ email: uniqueEmail('ip') }, ip)).status).toBe(200);
    const email = uniqueEmail('ip-over');
    const refused = await post({ email }, ip);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(windowMs / 1000);
    expect(await refused.json()).toMatchObject({ ok: false, code: 'rate-limited' });
    expect(await rowsFor(email)).toHaveLength(0);
    // Another IP is unaffected.
    expect((await post({ email })).status).toBe(200);
  });

  it('limits one address whatever the IP', async () => {
    const email = uniqueEmail('addr');
    const statuses: number[] = [];
    for (let i = 0; i < SUBSCRIBE_RATE_LIMITS.email.limit + 1; i += 1) statuses.push((await post({ email })).status);
    expect(statuses).toEqual([...Array(SUBSCRIBE_RATE_LIMITS.email.limit).fill(200), 429]);
  });

  it('holds across two app instances (two Prisma clients) counting concurrently', async () => {
    const other: PrismaClient = secondClient(t);
    try {
      const key = `test:${uniqueIp()}`;
      const rule = { limit: 10, windowMs: 60_000 };
      const now = new Date();
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => consumeRateLimit(i % 2 === 0 ? t.prisma : other, key, rule, now)),
      );
      const counts = results.map((r) => r.count).sort((a, b) => a - b);
      expect(counts).toEqual(Array.from({ length: 30 }, (_, i) => i + 1)); // no increment lost
      expect(results.filter((r) => r.allowed)).toHaveLength(10);

      // Through the service: the second instance sees the first one's signups.
      const ip = uniqueIp();
      for (let i = 0; i < SUBSCRIBE_RATE_LIMITS.ip.limit; i += 1) {
        await subscribe({ email: uniqueEmail('inst') }, { client: clientAt(ip), db: i % 2 === 0 ? t.prisma : other, sendImmediately: false });
      }
      await expect(subscribe({ email: uniqueEmail('inst') }, { client: clientAt(ip), db: other, sendImmediately: false })).rejects.toBeInstanceOf(RateLimitedError);
    } finally {
      await other.$disconnect();
    }
  });

  it('starts a new window once the old one has passed', async () => {
    const key = `test:${uniqueIp()}`;
    const rule = { limit: 1, windowMs: 60_000 };
    const t0 = new Date('2030-01-01T00:00:00Z');
    expect((await consumeRateLimit(t.prisma, key, rule, t0)).allowed).toBe(true);
    const refused = await consumeRateLimit(t.prisma, key, rule, new Date(t0.getTime() + 15_000));
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 45 });
    expect((await consumeRateLimit(t.prisma, key, rule, new Date(t0.getTime() + 60_000))).allowed).toBe(true);
  });
});

describe('when the database is unreachable', () => {
  it('answers 503 with a safe message, and the article-serving code is not involved', async () => {
    const port = await closedPort();
    const unreachable = createPrismaClient(`postgresql://postgres@127.0.0.1:${port}/postgres?connect_timeout=2`);
    const errors = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    dbState.client = unreachable;
    try {
      const email = uniqueEmail('down');
      const response = await post({ email });
      expect(response.status).toBe(503);
      const body = (await response.json()) as { ok: boolean; error: string };
      expect(body.ok).toBe(false);
      expect(body.error).toMatch(/unavailable/i);
      expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack/);
      // The real reason is in the log, without the address.
      const logged = errors.mock.calls.map((call) => call.join(' ')).join('\n');
      expect(logged).toMatch(/database-unavailable/);
      expect(logged).not.toContain(email);

      const form = await subscribeRoute(formRequest(URL_SUBSCRIBE, { email }));
      expect(form.status).toBe(303);
      expect(form.headers.get('location')).toBe('/newsletter/error?reason=unavailable');
    } finally {
      dbState.client = t.prisma;
      errors.mockRestore();
      await unreachable.$disconnect();
    }
  }, 30_000);
});
