// Over 400 lines on purpose: one database and one fake provider shared by the outbox's whole story (write, send, retry, 429, breaker, worker loop); split, each part would repeat the setup.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { captureLogs, clientAt, type NewsletterTestEnv, resendTransport, secondClient, SITE, startNewsletterTestEnv, uniqueEmail, uniqueIp } from './support';

const CRON_SECRET = vi.hoisted(() => {
  // lib/env.ts reads the environment once, at its first import.
  process.env.CRON_SECRET = 'cron-secret-for-the-outbox-tests';
  return process.env.CRON_SECRET;
});
const dbState = await vi.hoisted(async () => (await import('./email-env')).hoistedTestState());
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('./mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), dbState),
);

import { POST as outboxRoute } from '@/app/api/newsletter/outbox/route';
import { CircuitBreaker, type CircuitState } from '@/lib/email/circuit-breaker';
import { deleteStalePendingSubscribers, PENDING_RETENTION_MS } from '@/lib/newsletter/cleanup';
import { OUTBOX_DEFAULTS, releaseClaims } from '@/lib/outbox/rows';
import type { Pacer } from '@/lib/outbox/pacing';
import { TokenBucket } from '@/lib/outbox/token-bucket';
import { confirmSubscription, subscribe, unsubscribe } from '@/lib/newsletter/service';
import { createManageToken, openSealedToken } from '@/lib/newsletter/tokens';
import { newsletterSecret } from '@/lib/env';
import { processOutboxBatch, runOutboxWorkerStep, sendOutboxEmail } from '@/lib/sending';

/** The outbox worker against the real Postgres and the real resend SDK talking to the fake API. */

let t: NewsletterTestEnv;

beforeAll(async () => {
  captureLogs(); // quiet: lib/log.ts lines (restored by vi.restoreAllMocks)
  t = await startNewsletterTestEnv(dbState);
}, 60_000);
afterAll(async () => {
  await t?.close();
  vi.restoreAllMocks();
});
beforeEach(async () => {
  t.fake.reset();
  await t.prisma.outboxEmail.deleteMany();
});

/** Queues `n` confirmation emails without sending them; returns their outbox ids in order. */
async function queueConfirmations(n: number, now: Date = new Date()): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const email = uniqueEmail('queued');
    await subscribe({ email }, { client: clientAt(uniqueIp()), now: () => now, sendImmediately: false });
    ids.push((await t.prisma.outboxEmail.findFirstOrThrow({ where: { toAddress: email } })).id);
  }
  return ids;
}

const row = (id: string) => t.prisma.outboxEmail.findUniqueOrThrow({ where: { id } });
const deliveriesOf = (id: string) => t.fake.deliveries().filter((d) => d.idempotencyKey === id);
const requestsOf = (id: string) => t.fake.requests().filter((r) => r.headers['idempotency-key'] === id);

function clock(start: Date = new Date()) {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    ms: () => current,
    advance(ms: number) {
      current += ms;
    },
    set(date: Date) {
      current = date.getTime();
    },
  };
}

describe('retries', () => {
  it('keeps a row QUEUED with a future nextAttemptAt when the provider answers 500, then delivers it once', async () => {
    const c = clock();
    const [id] = await queueConfirmations(1, c.now());
    t.fake.failNext(1, { status: 500 });

    const first = await processOutboxBatch({ workerId: 'w1', transport: resendTransport(t.fake), now: c.now, db: t.prisma });
    expect(first).toMatchObject({ claimed: 1, retried: 1, sent: 0 });
    const queued = await row(id!);
    expect(queued).toMatchObject({ status: 'QUEUED', attempts: 1, claimedBy: null });
    expect(queued.lastError).toMatch(/500/);
    expect(queued.nextAttemptAt.getTime()).toBeGreaterThan(c.ms());
    expect(deliveriesOf(id!)).toHaveLength(0);

    // Not due yet: nothing is claimed.
    expect((await processOutboxBatch({ workerId: 'w1', transport: resendTransport(t.fake), now: c.now, db: t.prisma })).claimed).toBe(0);

    c.set(queued.nextAttemptAt);
    const second = await processOutboxBatch({ workerId: 'w1', transport: resendTransport(t.fake), now: c.now, db: t.prisma });
    expect(second).toMatchObject({ claimed: 1, sent: 1 });
    const sent = await row(id!);
    expect(sent).toMatchObject({ status: 'SENT', attempts: 2, lastError: null });
    expect(deliveriesOf(id!)).toHaveLength(1);
    expect(sent.providerMessageId).toBe(deliveriesOf(id!)[0]!.id);
    expect(requestsOf(id!)).toHaveLength(2);
  });

  it("honours the provider's Retry-After on 429", async () => {
    const c = clock();
    const [id] = await queueConfirmations(1, c.now());
    t.fake.failNext(1, { status: 429, retryAfterSeconds: 120 });
    // The 429 pauses the pacing too (every sender waits out Retry-After): on the test's clock here.
    const limiter = new TokenBucket({ requestsPerSecond: 1000, now: c.ms });
    await processOutboxBatch({ workerId: 'w1', transport: resendTransport(t.fake), now: c.now, db: t.prisma, limiter });
    const queued = await row(id!);
    expect(queued.status).toBe('QUEUED');
    expect(limiter.waitMs).toBeGreaterThanOrEqual(120_000);
    const delay = queued.nextAttemptAt.getTime() - c.ms();
    expect(delay).toBeGreaterThanOrEqual(120_000);
    expect(delay).toBeLessThanOrEqual(120_000 + OUTBOX_DEFAULTS.backoffBaseMs);

    c.advance(119_000);
    expect((await processOutboxBatch({ workerId: 'w1', transport: resendTransport(t.fake), now: c.now, db: t.prisma, limiter })).claimed).toBe(0);
    c.set(queued.nextAttemptAt);
    expect((await processOutboxBatch({ workerId: 'w1', transport: resendTransport(t.fake), now: c.now, db: t.prisma, limiter })).sent).toBe(1);
    expect(deliveriesOf(id!)).toHaveLength(1);
  });

  it('retries a timed-out send with the same Idempotency-Key, and the email is delivered once', async () => {
    const c = clock();
    const [id] = await queueConfirmations(1, c.now());
    t.fake.setDelay(800); // the fake accepts the email, then answers too late
    const slow = resendTransport(t.fake, { timeoutMs: 200 });
    const first = await processOutboxBatch({ workerId: 'w1', transport: slow, now: c.now, db: t.prisma });
    expect(first.retried).toBe(1);
    expect((await row(id!)).lastError).toMatch(/timeout/);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the fake finishes its answer
    t.fake.setDelay(0);

    c.set((await row(id!)).nextAttemptAt);
    const second = await processOutboxBatch({ workerId: 'w1', transport: resendTransport(t.fake), now: c.now, db: t.prisma });
    expect(second.sent).toBe(1);
    expect(requestsOf(id!)).toHaveLength(2);
    expect(deliveriesOf(id!)).toHaveLength(1);
    expect((await row(id!)).providerMessageId).toBe(deliveriesOf(id!)[0]!.id);
  });

  it('fails a row at once on a non-retryable answer (422), and after too many attempts', async () => {
    const c = clock();
    const [rejected, tired] = await queueConfirmations(2, c.now());
    t.fake.failNext(1, { status: 422, name: 'validation_error' });
    await sendOutboxEmail(rejected!, { transport: resendTransport(t.fake), now: c.now, db: t.prisma });
    expect(await row(rejected!)).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect((await row(rejected!)).payload).not.toHaveProperty('sealedToken');

    await t.prisma.outboxEmail.update({ where: { id: tired! }, data: { attempts: OUTBOX_DEFAULTS.maxAttempts - 1 } });
    t.fake.failNext(1, { status: 503 });
    await sendOutboxEmail(tired!, { transport: resendTransport(t.fake), now: c.now, db: t.prisma });
    const failed = await row(tired!);
    expect(failed).toMatchObject({ status: 'FAILED', attempts: OUTBOX_DEFAULTS.maxAttempts });
    expect(failed.lastError).toMatch(/gave up/);
  });
});

describe('circuit breaker', () => {
  it('opens after repeated failures and stops calling the provider, then half-opens and closes on its own', async () => {
    const c = clock();
    const transitions: string[] = [];
    const breaker = new CircuitBreaker({
      failureThreshold: 3,
      coolDownMs: 30_000,
      now: c.ms,
      onStateChange: (from: CircuitState, to: CircuitState) => transitions.push(`${from}->${to}`),
    });
    const transport = resendTransport(t.fake, { breaker });
    const ids = await queueConfirmations(6, c.now());
    t.fake.failNext(100, { status: 500 });
    const run = () => processOutboxBatch({ workerId: 'w1', transport, now: c.now, db: t.prisma, concurrency: 1 });

    const first = await run();
    expect(first).toMatchObject({ claimed: 6, retried: 3, released: 3 });
    expect(t.fake.requests()).toHaveLength(3); // the breaker answered the other three itself
    expect(breaker.state).toBe('open');
    const released = (await Promise.all(ids.map(row))).filter((r) => r.lastError?.includes('circuit open'));
    expect(released).toHaveLength(3);
    // A released row did not use up an attempt.
    expect(released.every((r) => r.attempts === 0 && r.status === 'QUEUED')).toBe(true);

    // Cool-down over, provider still down: one trial call, and the circuit opens again.
    c.advance(31_000 + 60_000);
    const trial = await run();
    expect(t.fake.requests()).toHaveLength(4);
    expect(trial.retried).toBe(1);
    expect(breaker.state).toBe('open');

    // The provider recovers; after the next cool-down the trial succeeds and the rest follow.
    t.fake.reset();
    c.advance(2 * 60 * 60_000);
    const recovered = await run();
    expect(recovered.sent).toBe(6);
    expect(breaker.state).toBe('closed');
    for (const id of ids) expect(deliveriesOf(id)).toHaveLength(1);
    expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->open', 'open->half-open', 'half-open->closed']);
  });
});

describe('claims', () => {
  it('never sends a row twice when two workers (two Prisma clients) drain one outbox concurrently', async () => {
    const ids = await queueConfirmations(40);
    const other: PrismaClient = secondClient(t);
    t.fake.setDelay(15);
    try {
      const drain = async (workerId: string, db: PrismaClient) => {
        let sent = 0;
        for (;;) {
          const result = await processOutboxBatch({ workerId, db, transport: resendTransport(t.fake), limit: 5 });
          sent += result.sent;
          if (result.claimed === 0) return sent;
        }
      };
      // Eight loops on two instances, all claiming at the same moments.
      const sent = await Promise.all(Array.from({ length: 8 }, (_, i) => drain(`worker-${i}`, i % 2 === 0 ? t.prisma : other)));
      expect(sent.reduce((sum, n) => sum + n, 0)).toBe(40);
      expect(sent.filter((n) => n > 0).length).toBeGreaterThan(1);
    } finally {
      t.fake.setDelay(0);
      await other.$disconnect();
    }
    // Each row was sent by exactly one request: not even an idempotent replay happened.
    const keys = t.fake.requests().map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(40);
    expect(new Set(keys)).toEqual(new Set(ids));
    expect(t.fake.deliveries()).toHaveLength(40);
    expect(await t.prisma.outboxEmail.count({ where: { status: 'SENT' } })).toBe(40);
  });

  it('re-claims a SENDING row whose lease expired (its worker died), but not a live one', async () => {
    const c = clock();
    const [dead, live] = await queueConfirmations(2, c.now());
    await t.prisma.outboxEmail.update({
      where: { id: dead! },
      data: { status: 'SENDING', claimedBy: 'killed-instance', leaseUntil: new Date(c.ms() - 1_000), attempts: 0 }, // a claim counts no attempt (the takeover does)
    });
    await t.prisma.outboxEmail.update({
      where: { id: live! },
      data: { status: 'SENDING', claimedBy: 'busy-instance', leaseUntil: new Date(c.ms() + 60_000), attempts: 0 },
    });
    const result = await processOutboxBatch({ workerId: 'survivor', transport: resendTransport(t.fake), now: c.now, db: t.prisma });
    expect(result).toMatchObject({ claimed: 1, sent: 1 });
    expect(await row(dead!)).toMatchObject({ status: 'SENT', attempts: 2, claimedBy: null });
    expect(await row(live!)).toMatchObject({ status: 'SENDING', claimedBy: 'busy-instance' });
    expect(deliveriesOf(live!)).toHaveLength(0);
  });

  it('only writes the outcome while it still holds the claim', async () => {
    const c = clock();
    const [id] = await queueConfirmations(1, c.now());
    t.fake.setDelay(300);
    const sending = processOutboxBatch({ workerId: 'slow', transport: resendTransport(t.fake), now: c.now, db: t.prisma });
    await new Promise((resolve) => setTimeout(resolve, 150));
    // Meanwhile the lease was taken over (e.g. it expired) by another worker.
    await t.prisma.outboxEmail.update({ where: { id: id! }, data: { claimedBy: 'other' } });
    await sending;
    t.fake.setDelay(0);
    expect(await row(id!)).toMatchObject({ status: 'SENDING', claimedBy: 'other', providerMessageId: null });
  });

  it('renews its claim after a long wait for a send slot, and sends nothing once another worker took the row', async () => {
    const ids = await queueConfirmations(2);
    // A pacer that keeps each caller waiting longer than a quarter of the (short) lease.
    let onWait: () => Promise<void> = async () => {};
    const waiting: Pacer = {
      async take() {
        await onWait();
        await new Promise((resolve) => setTimeout(resolve, 80));
        return { done() {} };
      },
      pauseFor() {},
    };
    const first = await processOutboxBatch({ workerId: 'patient', transport: resendTransport(t.fake), db: t.prisma, leaseMs: 200, limiter: waiting, limit: 1 });
    expect(first).toMatchObject({ claimed: 1, sent: 1 });
    // Both rows are equally due: either may be the one claimed first.
    const sent = (await Promise.all(ids.map(row))).filter((r) => r.status === 'SENT');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ claimedBy: null });
    const taken = ids.find((id) => id !== sent[0]!.id)!;

    onWait = async () => {
      // Meanwhile the lease ran out and another worker claimed the row.
      await t.prisma.outboxEmail.update({ where: { id: taken }, data: { claimedBy: 'other' } });
    };
    const second = await processOutboxBatch({ workerId: 'patient', transport: resendTransport(t.fake), db: t.prisma, leaseMs: 200, limiter: waiting, limit: 1 });
    expect(second).toMatchObject({ claimed: 1, sent: 0, released: 1 });
    expect(await row(taken)).toMatchObject({ status: 'SENDING', claimedBy: 'other' });
    expect(requestsOf(taken)).toHaveLength(0);
  });

  it('releaseClaims hands a stopping worker’s rows back without counting the attempt', async () => {
    const ids = await queueConfirmations(2);
    await t.prisma.outboxEmail.updateMany({
      where: { id: { in: ids } },
      data: { status: 'SENDING', claimedBy: 'stopping', leaseUntil: new Date(Date.now() + 60_000), attempts: 0 }, // claimed, not yet sent: no attempt counted
    });
    expect(await releaseClaims('stopping', t.prisma)).toBe(2);
    for (const id of ids) expect(await row(id)).toMatchObject({ status: 'QUEUED', claimedBy: null, attempts: 0 });
  });

  it('the in-process loop sends queued rows; stopping it lets sends in flight finish and hands the rest back', async () => {
    // The loop starts only with DATABASE_URL set, which lib/env.ts reads at import: load it afresh.
    vi.resetModules();
    process.env.DATABASE_URL = t.database.url;
    const worker = await import('@/lib/sending');
    try {
      const ids = await queueConfirmations(OUTBOX_DEFAULTS.concurrency + 2);
      t.fake.setDelay(400);
      expect(worker.startOutboxWorker({ intervalMs: 50 })).toBe(true);
      expect(worker.startOutboxWorker()).toBe(false); // once per process
      // Every lane's request at the fake (each took its pacing slot first), answers 400 ms away: then stop.
      await vi.waitFor(() => expect(t.fake.requests().length).toBe(OUTBOX_DEFAULTS.concurrency), { timeout: 5_000, interval: 20 });
      await worker.stopOutboxWorker();
      expect(worker.isOutboxWorkerRunning()).toBe(false);

      const rows = await Promise.all(ids.map(row));
      const sent = rows.filter((r) => r.status === 'SENT');
      const queued = rows.filter((r) => r.status === 'QUEUED');
      expect(sent).toHaveLength(OUTBOX_DEFAULTS.concurrency);
      expect(queued).toHaveLength(2);
      expect(queued.every((r) => r.attempts === 0 && r.claimedBy === null)).toBe(true);
      expect(rows.some((r) => r.status === 'SENDING')).toBe(false);
      expect(t.fake.deliveries()).toHaveLength(OUTBOX_DEFAULTS.concurrency);
    } finally {
      t.fake.setDelay(0);
      await worker.stopOutboxWorker();
      delete process.env.DATABASE_URL;
    }
  });
});

describe('what is not sent', () => {
  it('cancels an email whose subscriber unsubscribed after it was queued, and a confirmation for someone already confirmed', async () => {
    const email = uniqueEmail('gone');
    await subscribe({ email }, { client: clientAt(uniqueIp()), sendImmediately: false });
    const subscriber = await t.prisma.subscriber.findUniqueOrThrow({ where: { email } });
    const confirmation = await t.prisma.outboxEmail.findFirstOrThrow({ where: { subscriberId: subscriber.id } });
    const token = openSealedToken((confirmation.payload as { sealedToken: string }).sealedToken, newsletterSecret());
    await confirmSubscription(token, { sendImmediately: false });
    const welcome = await t.prisma.outboxEmail.findFirstOrThrow({ where: { subscriberId: subscriber.id, kind: 'WELCOME' } });

    // The confirmation is still queued, but its subscriber is confirmed now: the worker drops it.
    await t.prisma.outboxEmail.update({ where: { id: welcome.id }, data: { nextAttemptAt: new Date(Date.now() + 3_600_000) } });
    const first = await processOutboxBatch({ workerId: 'w1', transport: resendTransport(t.fake), db: t.prisma });
    expect(first).toMatchObject({ claimed: 1, cancelled: 1, sent: 0 });
    expect(await row(confirmation.id)).toMatchObject({ status: 'CANCELLED', lastError: 'cancelled: subscriber is CONFIRMED' });

    // Unsubscribing cancels QUEUED rows itself; a row already claimed (here: by a worker that then
    // died) is checked again by the worker before it sends.
    await t.prisma.outboxEmail.update({ where: { id: welcome.id }, data: { status: 'SENDING', claimedBy: 'w', leaseUntil: new Date(Date.now() - 1) } });
    await unsubscribe(createManageToken(subscriber.id, newsletterSecret()));
    expect((await row(welcome.id)).status).toBe('SENDING');
    const second = await processOutboxBatch({ workerId: 'w2', transport: resendTransport(t.fake), db: t.prisma });
    expect(second).toMatchObject({ claimed: 1, cancelled: 1, sent: 0 });
    expect(await row(welcome.id)).toMatchObject({ status: 'CANCELLED', lastError: 'cancelled: subscriber is UNSUBSCRIBED' });
    expect(t.fake.requests()).toHaveLength(0);
  });
});

describe('cleanup (same worker step)', () => {
  it('deletes pending signups 30 days after their last confirmation email, and nothing else', async () => {
    const now = new Date();
    const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 60 * 60_000);
    const make = async (label: string, data: { status: 'PENDING' | 'CONFIRMED' | 'UNSUBSCRIBED'; createdAt: Date; lastConfirmationSentAt: Date | null }) => {
      const subscriber = await t.prisma.subscriber.create({ data: { email: uniqueEmail(label), ...data } });
      await t.prisma.outboxEmail.create({
        data: { kind: 'CONFIRMATION', subscriberId: subscriber.id, toAddress: subscriber.email, payload: {}, status: 'SENT', createdAt: data.createdAt },
      });
      await t.prisma.confirmationToken.create({ data: { subscriberId: subscriber.id, tokenHash: subscriber.id.replace(/-/g, '').padEnd(64, '0'), expiresAt: data.createdAt } });
      return subscriber.id;
    };
    const stale = await make('stale', { status: 'PENDING', createdAt: daysAgo(31), lastConfirmationSentAt: daysAgo(31) });
    const fresh = await make('fresh', { status: 'PENDING', createdAt: daysAgo(29), lastConfirmationSentAt: daysAgo(29) });
    const retried = await make('retried', { status: 'PENDING', createdAt: daysAgo(60), lastConfirmationSentAt: daysAgo(1) });
    const confirmed = await make('confirmed', { status: 'CONFIRMED', createdAt: daysAgo(90), lastConfirmationSentAt: daysAgo(90) });
    const left = await make('left', { status: 'UNSUBSCRIBED', createdAt: daysAgo(90), lastConfirmationSentAt: daysAgo(90) });

    const { cleanup } = await runOutboxWorkerStep({ workerId: 'cleaner', db: t.prisma, transport: resendTransport(t.fake), cleanup: true });
    expect(cleanup?.deletedPending).toBe(1);
    const remaining = new Set((await t.prisma.subscriber.findMany({ select: { id: true } })).map((s) => s.id));
    expect(remaining.has(stale)).toBe(false);
    for (const id of [fresh, retried, confirmed, left]) expect(remaining.has(id)).toBe(true);
    expect(await t.prisma.outboxEmail.count({ where: { subscriberId: stale } })).toBe(0);
    expect(await t.prisma.confirmationToken.count({ where: { subscriberId: stale } })).toBe(0);
    expect(await t.prisma.outboxEmail.count({ where: { subscriberId: fresh } })).toBe(1);
    expect(await deleteStalePendingSubscribers(t.prisma, new Date(now.getTime() + PENDING_RETENTION_MS - 29 * 24 * 60 * 60_000 + 60_000))).toBe(1); // "fresh" turns 30 days
  });
});

describe('POST /api/newsletter/outbox (external scheduler)', () => {
  const request = (authorization?: string) =>
    new Request(`${SITE}/api/newsletter/outbox`, { method: 'POST', headers: authorization ? { authorization } : {} });

  it('refuses a missing or wrong bearer token with 401', async () => {
    const [id] = await queueConfirmations(1);
    for (const auth of [undefined, 'Bearer wrong-secret-of-some-length', `Basic ${CRON_SECRET}`, `Bearer ${CRON_SECRET}x`]) {
      const response = await outboxRoute(request(auth));
      expect(response.status).toBe(401);
    }
    expect((await row(id!)).status).toBe('QUEUED');
  });

  it('runs one batch and answers its counts', async () => {
    const ids = await queueConfirmations(2);
    const response = await outboxRoute(request(`Bearer ${CRON_SECRET}`));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, claimed: 2, sent: 2, failed: 0, deletedPending: 0 });
    for (const id of ids) expect(deliveriesOf(id)).toHaveLength(1);
  });

  it('answers 503 when CRON_SECRET is not set', async () => {
    vi.resetModules();
    const saved = process.env.CRON_SECRET;
    delete process.env.CRON_SECRET;
    try {
      const { POST } = await import('@/app/api/newsletter/outbox/route');
      const response = await POST(request(`Bearer ${CRON_SECRET}`));
      expect(response.status).toBe(503);
    } finally {
      process.env.CRON_SECRET = saved;
    }
  });
});
