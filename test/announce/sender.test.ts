import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { captureLogs, resendTransport } from '../newsletter/support';

const dbState = await vi.hoisted(async () => (await import('../newsletter/email-env')).hoistedTestState());
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('../newsletter/mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), dbState),
);

import { announceNewArticles } from '@/lib/announce/enqueue';
import { TokenBucket } from '@/lib/outbox/token-bucket';
import { pendingBatchedEmails, releaseBatchClaims, SENDER_DEFAULTS } from '@/lib/outbox/batches';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { unsubscribe } from '@/lib/newsletter/service';
import { suppressAddresses } from '@/lib/newsletter/suppression';
import { createManageToken } from '@/lib/newsletter/tokens';
import { duplicates, outboxStatusCounts, recipientsOf, startAnnounceEnv, spawnCommand, type AnnounceTestEnv } from './support';

/**
 * Sending: provider batches of 100 under one idempotency key each, exactly once per row through
 * crashes, lost answers, unsubscribes and rate limits. Deliveries are counted at the fake server,
 * which (like Resend) does not deliver twice for a repeated key and body.
 */

let t: AnnounceTestEnv;
const NOW = new Date('2026-06-15T12:00:00Z');

beforeAll(async () => {
  captureLogs();
  t = await startAnnounceEnv(dbState);
}, 60_000);
afterAll(async () => {
  await t?.close();
  vi.restoreAllMocks();
});
beforeEach(async () => {
  await t.reset();
  await t.removeArticle('new-one');
});

/** Switched on, `subscribers` confirmed, one new article queued for all of them. Returns the subject. */
async function queued(subscribers: number, label: string): Promise<string> {
  await t.addSubscribers(subscribers, label);
  await announceNewArticles({ db: t.prisma, contentDir: t.contentDir, now: NOW }); // first run: switch on
  const title = `News for ${label}`;
  await t.writeArticle('new-one', { title });
  const result = await announceNewArticles({ db: t.prisma, contentDir: t.contentDir, now: NOW });
  expect(result.queued).toBe(subscribers);
  return title;
}

const later = (ms: number) => () => new Date(Date.now() + ms);

/** A Prisma client whose update marking rows SENT fails: the process "dies" after the provider accepted. */
function crashingOnSent(prisma: PrismaClient): PrismaClient {
  return new Proxy(prisma, {
    get(target, property, receiver) {
      if (property === '$executeRawUnsafe') {
        return (sql: string, ...values: unknown[]) =>
          sql.includes("status = 'SENT'") ? Promise.reject(new Error('simulated crash before the SENT update')) : target.$executeRawUnsafe(sql, ...values);
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('batches', () => {
  it('sends 100 emails per request, each request under a key derived from its rows, with per-recipient unsubscribe links', async () => {
    const subject = await queued(250, 'batches');
    const totals = await t.send();
    expect(totals).toMatchObject({ batches: 3, requests: 3, sent: 250, failed: 0, cancelled: 0 });

    const requests = t.fake.requests().filter((r) => r.path === '/emails/batch');
    expect(requests.map((r) => (r.body as unknown[]).length).sort()).toEqual([100, 100, 50]);
    const keys = requests.map((r) => r.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(3);
    for (const key of keys) expect(key).toMatch(/^outbox-batch\/[0-9a-f-]{36}$/);
    const rows = await t.prisma.outboxEmail.findMany();
    const batches = await t.prisma.outboxBatch.findMany();
    expect(new Set(batches.map((batch) => batch.idempotencyKey))).toEqual(new Set(keys));
    expect(new Set(rows.map((row) => row.batchId))).toEqual(new Set(batches.map((batch) => batch.id)));
    expect(batches.every((batch) => batch.status === 'SENT' && batch.claimedBy === null)).toBe(true);
    expect(rows.every((row) => row.status === 'SENT' && row.providerMessageId && row.claimedBy === null)).toBe(true);

    const deliveries = t.fake.deliveries();
    expect(recipientsOf(deliveries, subject).size).toBe(250);
    expect(duplicates(deliveries)).toEqual([]);
    const byAddress = new Map(rows.map((row) => [row.toAddress, row.subscriberId!]));
    for (const delivery of deliveries.slice(0, 5)) {
      const token = createManageToken(byAddress.get(delivery.to[0]!)!, t.secret);
      expect(delivery.headers['List-Unsubscribe']).toBe(`<http://localhost:3000/api/newsletter/unsubscribe?token=${token}>`);
      expect(delivery.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
      expect(delivery.html).toContain(`/api/newsletter/unsubscribe?token=${token}`);
      expect(delivery.text).toContain(token);
    }
    expect(await t.prisma.announcement.findUniqueOrThrow({ where: { articleSlug: 'new-one' } })).toMatchObject({ status: 'COMPLETED' });
  });
});

describe('a sender that dies mid-run', () => {
  it('after the provider accepted a batch and before the rows were marked: the next sender resends it under the same key, delivered once', async () => {
    const subject = await queued(150, 'crash');
    await expect(t.send({ db: crashingOnSent(t.prisma), maxBatches: 1, concurrency: 1 })).rejects.toThrow(/simulated crash/);
    const [first] = t.fake.requests();
    expect(t.fake.deliveries()).toHaveLength(100); // the provider took them
    expect(await outboxStatusCounts(t.prisma)).toEqual({ SENDING: 100, QUEUED: 50 });

    // Before the lease runs out nobody touches the batch; after it, it is taken again as a whole.
    const early = await t.send({ concurrency: 1 });
    expect(early.sent).toBe(50);
    const totals = await t.send({ now: later(SENDER_DEFAULTS.leaseMs + 1_000) });
    expect(totals).toMatchObject({ batches: 1, sent: 100 });

    const replays = t.fake.requests().filter((r) => r.headers['idempotency-key'] === first!.headers['idempotency-key']);
    expect(replays).toHaveLength(2);
    expect(replays[1]!.body).toEqual(replays[0]!.body); // same emails, same order
    const deliveries = t.fake.deliveries();
    expect(deliveries).toHaveLength(150);
    expect(duplicates(deliveries)).toEqual([]);
    expect(recipientsOf(deliveries, subject).size).toBe(150);
    expect(await outboxStatusCounts(t.prisma)).toEqual({ SENT: 150 });
  });

  it('a lost answer (timeout after the provider accepted): the retry is deduplicated by the batch key', async () => {
    await queued(30, 'timeout');
    t.fake.setDelay(2_000); // the fake accepts the emails at once and answers 2 s later
    const first = await t.send({ transport: resendTransport(t.fake, { timeoutMs: 150 }) });
    expect(first).toMatchObject({ sent: 0, retried: 30 });
    expect(t.fake.deliveries()).toHaveLength(30);
    const row = await t.prisma.outboxEmail.findFirstOrThrow();
    expect(row).toMatchObject({ status: 'SENDING', claimedBy: null, attempts: 1 });
    // The retry time is the batch's next_attempt_at (no longer the row's lease column).
    const batch = await t.prisma.outboxBatch.findFirstOrThrow();
    expect(batch).toMatchObject({ status: 'QUEUED', claimedBy: null, leaseUntil: null, attempts: 1 });
    expect(batch.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());

    // Retried while the first request is still being answered: "in progress" (409), the rows wait again.
    const during = await t.send({ now: later(SenderRetryCeilingMs) });
    expect(during).toMatchObject({ sent: 0, retried: 30 });
    expect(t.fake.requests().at(-1)!.status).toBe(409);

    // Retried after: the provider replays the first answer and sends nothing.
    t.fake.setDelay(0);
    const after = await t.send({ now: later(10 * 60_000) });
    expect(after).toMatchObject({ sent: 30 });
    expect(t.fake.requests().at(-1)!.status).toBe(200);
    expect(t.fake.deliveries()).toHaveLength(30);
    expect(await outboxStatusCounts(t.prisma)).toEqual({ SENT: 30 });
    const sent = await t.prisma.outboxEmail.findMany();
    expect(new Set(sent.map((r) => r.providerMessageId))).toEqual(new Set(t.fake.deliveries().map((d) => d.id)));
  }, 20_000);

  it('killed with SIGKILL while sending (npm run announce in a child process), then run again: everyone gets exactly one', async () => {
    const subject = await queued(450, 'killed');
    // Each answer comes 400 ms after the provider accepted the emails: a kill lands in that window.
    t.fake.setDelay(400);
    const { child, output: out, exited } = spawnCommand(t, 'scripts/announce.ts', ['--content-dir', t.contentDir, '--wait', '0']);
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });

    const deadline = Date.now() + 60_000;
    while (t.fake.requests().filter((r) => r.path === '/emails/batch').length < 2) {
      if (Date.now() > deadline) throw new Error(`the child never sent 2 batches:\n${out.text}`);
      if (child.exitCode !== null) throw new Error(`the child exited early (${child.exitCode}):\n${out.text}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    child.kill('SIGKILL');
    expect(await exited).toBeNull();
    const afterKill = t.fake.deliveries().length;
    expect(afterKill).toBeGreaterThanOrEqual(200);
    expect(afterKill).toBeLessThan(450);

    // Run again a moment later (once the provider has finished answering the dead process: a retry
    // while that request is still in progress gets 409 "in progress" and would simply wait).
    await new Promise((resolve) => setTimeout(resolve, 500));
    t.fake.setDelay(0);
    await t.send({ now: later(SENDER_DEFAULTS.leaseMs + 1_000) });
    const deliveries = t.fake.deliveries();
    expect(duplicates(deliveries)).toEqual([]);
    expect(recipientsOf(deliveries, subject).size).toBe(450);
    expect(deliveries).toHaveLength(450);
    expect(await outboxStatusCounts(t.prisma)).toEqual({ SENT: 450 });
  }, 90_000);

  it('stopped (abort): the batch not yet sent is handed back at once, nothing is lost', async () => {
    await queued(120, 'abort');
    const controller = new AbortController();
    // A slow bucket: the second batch waits for its token, and the abort lands during that wait.
    const limiter = new TokenBucket({ requestsPerSecond: 1 });
    const sending = t.send({ limiter, signal: controller.signal, concurrency: 2, workerId: 'stopping' });
    await vi.waitFor(() => expect(t.fake.requests()).toHaveLength(1), { timeout: 5_000 });
    controller.abort();
    const totals = await sending;
    // One batch went out (the lanes' batches are 100 and 20, in either order); the other was handed back.
    expect(totals.requests).toBe(1);
    expect(totals.sent + totals.retried).toBe(120);
    expect(await releaseBatchClaims('stopping', t.prisma)).toBe(0); // nothing left held
    expect(await t.send()).toMatchObject({ sent: totals.retried });
    expect(t.fake.deliveries()).toHaveLength(120);
    expect(duplicates(t.fake.deliveries())).toEqual([]);
  });
});

// The retry of a batch whose answer was lost waits its backoff (at most base·2^0 = 10 s the first time).
const SenderRetryCeilingMs = SENDER_DEFAULTS.backoffBaseMs + 1_000;

describe('unsubscribes and suppressions after the enqueue', () => {
  it('are honoured right before each send, including for rows already in a batch', async () => {
    const subject = await queued(150, 'mid');
    // First batch: the provider fails (500), so its 100 rows wait in their batch for a retry.
    t.fake.failNext(1, { status: 500 });
    const first = await t.send({ concurrency: 1, maxBatches: 1 });
    expect(first).toMatchObject({ retried: 100, sent: 0 });
    // Every row has its batch from the enqueue on: the waiting batch's rows are the SENDING ones.
    const batchRows = await t.prisma.outboxEmail.findMany({ where: { status: 'SENDING' }, orderBy: { toAddress: 'asc' } });
    const queuedRows = await t.prisma.outboxEmail.findMany({ where: { status: 'QUEUED' }, orderBy: { toAddress: 'asc' } });
    expect(batchRows).toHaveLength(100);

    // One in the waiting batch unsubscribes, one is suppressed (a bounce); one still QUEUED unsubscribes.
    const [inBatch, bounced] = [batchRows[0]!, batchRows[1]!];
    const stillQueued = queuedRows[0]!;
    expect((await unsubscribe(createManageToken(inBatch.subscriberId!, t.secret))).status).toBe('unsubscribed');
    await suppressAddresses(t.prisma, { emails: [bounced.toAddress], reason: 'BOUNCE' });
    expect((await unsubscribe(createManageToken(stillQueued.subscriberId!, t.secret))).status).toBe('unsubscribed');

    const totals = await t.send({ now: later(SenderRetryCeilingMs) });
    expect(totals).toMatchObject({ sent: 147, cancelled: 2 }); // the third was cancelled by unsubscribe() itself
    const got = recipientsOf(t.fake.deliveries(), subject);
    expect(got.size).toBe(147);
    for (const row of [inBatch, bounced, stillQueued]) expect(got.has(row.toAddress)).toBe(false);
    expect(await t.prisma.outboxEmail.findUniqueOrThrow({ where: { id: inBatch.id } })).toMatchObject({
      status: 'CANCELLED',
      lastError: 'cancelled: subscriber is UNSUBSCRIBED',
    });
    expect(await t.prisma.outboxEmail.findUniqueOrThrow({ where: { id: bounced.id } })).toMatchObject({
      status: 'CANCELLED',
      lastError: 'cancelled: address suppressed',
    });
  });

  it('a batch whose earlier attempt was accepted (answer lost) is not sent again after a member unsubscribed', async () => {
    const subject = await queued(20, 'accepted');
    t.fake.setDelay(600);
    await t.send({ transport: resendTransport(t.fake, { timeoutMs: 150 }) });
    await new Promise((resolve) => setTimeout(resolve, 700)); // the fake has answered (to nobody)
    t.fake.setDelay(0);
    expect(t.fake.deliveries()).toHaveLength(20); // accepted, but we never heard

    const member = await t.prisma.outboxEmail.findFirstOrThrow({ orderBy: { toAddress: 'asc' } });
    await unsubscribe(createManageToken(member.subscriberId!, t.secret));
    // 19 rows under the key the provider already used for 20: it refuses (409), which means "sent".
    const totals = await t.send({ now: later(SenderRetryCeilingMs) });
    expect(totals).toMatchObject({ sent: 19, cancelled: 1 });
    expect(t.fake.requests().at(-1)!.status).toBe(409);
    expect(t.fake.deliveries()).toHaveLength(20);
    expect(duplicates(t.fake.deliveries())).toEqual([]);
    expect(recipientsOf(t.fake.deliveries(), subject).size).toBe(20);
    expect(await outboxStatusCounts(t.prisma)).toEqual({ SENT: 19, CANCELLED: 1 });
  }, 20_000);
});

describe('the provider rate limit', () => {
  it("a 429 pauses every sender for its Retry-After, then sending resumes; each email still goes once", async () => {
    await queued(300, 'limited');
    t.fake.failNext(1, { status: 429, retryAfterSeconds: 2 });
    const started = Date.now();
    const totals = await t.send({ concurrency: 1, waitForPendingMs: 10_000 });
    expect(totals).toMatchObject({ sent: 300, rateLimited: 1, failed: 0 });
    const requests = t.fake.requests();
    expect(requests[0]!.status).toBe(429);
    // Nothing reached the provider during the 2 s it asked for.
    expect(requests[1]!.receivedAt - requests[0]!.receivedAt).toBeGreaterThanOrEqual(1_950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(t.fake.deliveries()).toHaveLength(300);
    expect(duplicates(t.fake.deliveries())).toEqual([]);
    // The attempt a 429 cost is given back.
    const attempts = await t.prisma.outboxEmail.findMany({ select: { attempts: true } });
    expect(Math.max(...attempts.map((row) => row.attempts))).toBe(1);
  }, 20_000);

  it('paces its requests at 2 per second (the default bucket) against a provider limited to that, each email once', async () => {
    await queued(600, 'paced');
    t.fake.rateLimit({ requestsPerSecond: 2 });
    const calls: number[] = [];
    const real = resendTransport(t.fake);
    const recording = {
      sendBatch: (...args: Parameters<typeof real.sendBatch>) => {
        calls.push(performance.now());
        return real.sendBatch(...args);
      },
    };
    const totals = await t.send({ transport: recording, limiter: new TokenBucket({ requestsPerSecond: 2 }), waitForPendingMs: 10_000 });
    expect(totals.sent).toBe(600);
    // Measured where the requests leave (arrival times at the fake carry the machine's jitter).
    const gaps = calls.slice(1).map((at, i) => at - calls[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(495);
    expect(t.fake.deliveries()).toHaveLength(600);
    expect(duplicates(t.fake.deliveries())).toEqual([]);
  }, 30_000);

  it('a sender paced faster than the provider allows is slowed by 429s and still delivers each email once', async () => {
    await queued(400, 'overrun');
    t.fake.rateLimit({ requestsPerSecond: 1 });
    const totals = await t.send({ limiter: new TokenBucket({ requestsPerSecond: 4 }), waitForPendingMs: 20_000 });
    expect(totals.sent).toBe(400);
    expect(totals.rateLimited).toBeGreaterThan(0);
    expect(t.fake.deliveries()).toHaveLength(400);
    expect(duplicates(t.fake.deliveries())).toEqual([]);
    expect((await pendingBatchedEmails(t.prisma)).pending).toBe(0);
  }, 30_000);
});
