import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createProgress } from '@/lib/announce/progress';
import { AbortedError, TokenBucket } from '@/lib/outbox/token-bucket';
import { BatchRenderer } from '@/lib/outbox/batch-render';
import { buildOutgoingEmail, type OutboxRowForSending } from '@/lib/outbox/templates';
import { appOutboxTemplates } from '@/lib/sending';
import { createManageToken, verifyManageToken } from '@/lib/newsletter/tokens';

/** The pieces of announcements that need no database: pacing, per-recipient rendering, progress. */

/** A clock that only moves when someone sleeps on it: sleeps resolve in time order, instantly. */
function virtualTime(options: { lateness?: (nth: number) => number } = {}) {
  let now = 0;
  let count = 0;
  const sleepers: { at: number; resolve: () => void; reject: (err: unknown) => void }[] = [];
  const sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const entry = { at: now + ms + (options.lateness?.(count++) ?? 0), resolve, reject };
      sleepers.push(entry);
      signal?.addEventListener('abort', () => {
        sleepers.splice(sleepers.indexOf(entry), 1);
        reject(new AbortedError());
      });
    });
  return {
    now: () => now,
    sleep,
    advance(ms: number) {
      now += ms;
    },
    /** Runs sleepers in time order until none is left (or `until`). */
    async run(until = Number.POSITIVE_INFINITY) {
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve));
        sleepers.sort((a, b) => a.at - b.at);
        const next = sleepers[0];
        if (!next || next.at > until) return;
        sleepers.shift();
        now = Math.max(now, next.at);
        next.resolve();
      }
    },
  };
}

describe('TokenBucket', () => {
  it('spaces tokens by the interval (2 per second with the 3% margin: 515 ms), first one at once', async () => {
    const time = virtualTime();
    const bucket = new TokenBucket({ requestsPerSecond: 2, now: time.now, sleep: time.sleep });
    expect(bucket.intervalMs).toBeCloseTo(515);
    const granted: number[] = [];
    const takers = Array.from({ length: 5 }, () => bucket.take().then(() => granted.push(time.now())));
    await time.run();
    await Promise.all(takers);
    // The second waits 150 ms more: the first request after an idle period leaves late (cold start).
    expect(granted).toEqual([0, 665, 1180, 1695, 2210]);

    // Idle again, then a new burst: the same allowance once; without it, plain 510 ms steps.
    const again: number[] = [];
    time.advance(5_000);
    const takersAgain = Array.from({ length: 3 }, () => bucket.take().then(() => again.push(time.now())));
    await time.run();
    await Promise.all(takersAgain);
    expect(again.map((at) => at - again[0]!)).toEqual([0, 665, 1180]);
  });

  it('without the cold-start allowance, tokens are exactly one interval apart', async () => {
    const time = virtualTime();
    const bucket = new TokenBucket({ requestsPerSecond: 2, coldStartMs: 0, now: time.now, sleep: time.sleep });
    const granted: number[] = [];
    const takers = Array.from({ length: 4 }, () => bucket.take().then(() => granted.push(time.now())));
    await time.run();
    await Promise.all(takers);
    expect(granted).toEqual([0, 515, 1030, 1545]);
  });

  it('a pause (a 429 with Retry-After) holds back every caller, waiting ones included', async () => {
    const time = virtualTime();
    const bucket = new TokenBucket({ requestsPerSecond: 2, spacingMargin: 0, now: time.now, sleep: time.sleep });
    const granted: number[] = [];
    await bucket.take();
    granted.push(time.now());
    const waiting = [bucket.take(), bucket.take()].map((p) => p.then(() => granted.push(time.now())));
    await time.run(100);
    bucket.pauseFor(3_000); // at t=0: nobody before t=3000
    await time.run();
    await Promise.all(waiting);
    expect(granted[0]).toBe(0);
    expect(granted.slice(1).every((at) => at >= 3_000)).toBe(true);
    expect(granted[2]! - granted[1]!).toBeGreaterThanOrEqual(500);
  });

  it('keeps the interval between grants even when one timer fires late', async () => {
    // The first sleep wakes 80 ms late (a busy event loop), the next one on time: without the
    // check on actual grant times, the third caller would get in 420 ms after the second.
    const time = virtualTime({ lateness: (n) => (n === 0 ? 80 : 0) });
    const bucket = new TokenBucket({ requestsPerSecond: 2, spacingMargin: 0, coldStartMs: 0, now: time.now, sleep: time.sleep });
    const grants: number[] = [];
    const takers = Array.from({ length: 4 }, () => bucket.take().then(() => grants.push(time.now())));
    await time.run();
    await Promise.all(takers);
    expect(grants[1]).toBe(580);
    const gaps = grants.slice(1).map((at, i) => at - grants[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(500);
  });

  it('widens its spacing a step after each 429 and narrows it back as grants succeed', async () => {
    const time = virtualTime();
    const bucket = new TokenBucket({ requestsPerSecond: 2, now: time.now, sleep: time.sleep });
    expect(bucket.intervalMs).toBeCloseTo(515);
    bucket.pauseFor(1_000);
    expect(bucket.intervalMs).toBeCloseTo(540); // +5% of 500
    bucket.pauseFor(1_000);
    expect(bucket.intervalMs).toBeCloseTo(565);
    for (let i = 0; i < 10; i += 1) bucket.pauseFor(1_000);
    expect(bucket.intervalMs).toBeCloseTo(640); // capped at +25%
    const takers = Array.from({ length: 100 }, () => bucket.take());
    await time.run();
    await Promise.all(takers);
    expect(bucket.intervalMs).toBeCloseTo(515); // back to the margin after 100 grants
  });

  it('rejects a waiting caller when its signal aborts', async () => {
    const time = virtualTime();
    const bucket = new TokenBucket({ requestsPerSecond: 1, now: time.now, sleep: time.sleep });
    await bucket.take();
    const controller = new AbortController();
    const waiting = bucket.take(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    await expect(bucket.take(controller.signal)).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('BatchRenderer', () => {
  const secret = 'unit-test-secret-unit-test-secret-0123456789';
  const announcement = (subscriberId: string | null): OutboxRowForSending => ({
    id: randomUUID(),
    kind: 'ANNOUNCEMENT',
    subscriberId,
    toAddress: `reader-${subscriberId?.slice(0, 8)}@example.com`,
    payload: {
      title: 'Rate limiting <algorithms> & more',
      description: 'Token buckets, "sliding" windows.',
      takeaways: ['One', 'Two'],
      articleUrl: 'http://localhost:3000/articles/rate-limiting',
    },
  });
  const digest = (subscriberId: string): OutboxRowForSending => ({
    id: randomUUID(),
    kind: 'DIGEST',
    subscriberId,
    toAddress: `digest-${subscriberId.slice(0, 8)}@example.com`,
    payload: {
      articles: [
        { title: 'First', description: 'One.', articleUrl: 'http://localhost:3000/articles/first' },
        { title: 'Second', description: 'Two.', articleUrl: 'http://localhost:3000/articles/second' },
      ],
    },
  });

  it('renders each recipient exactly as buildOutgoingEmail does, with their own unsubscribe token', async () => {
    const renderer = new BatchRenderer(appOutboxTemplates(secret));
    const rows = [announcement(randomUUID()), announcement(randomUUID()), digest(randomUUID()), digest(randomUUID())];
    const rendered = await renderer.render(rows);
    for (const [i, item] of rendered.entries()) {
      if (!('email' in item)) throw new Error(`row ${i} failed: ${item.error.message}`);
      expect(item.email).toEqual(await buildOutgoingEmail(rows[i]!, appOutboxTemplates(secret)));
      const token = createManageToken(rows[i]!.subscriberId!, secret);
      expect(item.email.headers['List-Unsubscribe']).toContain(token);
      expect(verifyManageToken(token, secret)).toBe(rows[i]!.subscriberId);
    }
    const [a, b] = rendered as { email: { html: string } }[];
    expect(a!.email.html).not.toBe(b!.email.html);
  });

  it('reports a row it cannot render (no subscriber, broken payload) without failing the others', async () => {
    const renderer = new BatchRenderer(appOutboxTemplates(secret));
    const broken = { ...announcement(randomUUID()), payload: { title: 'x' } };
    const rendered = await renderer.render([announcement(null), broken, announcement(randomUUID())]);
    expect('error' in rendered[0]! && rendered[0].error.message).toMatch(/no subscriber/);
    expect('error' in rendered[1]! && rendered[1].error.message).toMatch(/invalid ANNOUNCEMENT payload/);
    expect('email' in rendered[2]!).toBe(true);
  });
});

describe('progress', () => {
  const counts = (sent: number) => ({ sent, cancelled: 0, failed: 0, retried: 0, rateLimited: 0 });

  it('rewrites one line on a terminal', () => {
    let t = 0;
    const chunks: string[] = [];
    const progress = createProgress({ write: (chunk: string) => chunks.push(chunk), isTTY: true }, 1000, { now: () => t });
    for (let sent = 100; sent <= 1000; sent += 100) {
      t += 500;
      progress.update(counts(sent));
    }
    progress.done({ ...counts(1000), cancelled: 0 });
    expect(chunks.every((chunk) => chunk === '\n' || chunk.startsWith('\r'))).toBe(true);
    expect(chunks.join('')).not.toMatch(/\n(?!$)/);
    expect(chunks.at(-2)).toMatch(/1,000 \/ 1,000 sent \(100%\)/);
  });

  it('writes plain lines elsewhere, at most one per 10% (or 5 s)', () => {
    let t = 0;
    const lines: string[] = [];
    const progress = createProgress({ write: (chunk: string) => lines.push(chunk) }, 10_000, { now: () => t });
    for (let sent = 100; sent <= 10_000; sent += 100) {
      t += 10;
      progress.update(counts(sent));
    }
    progress.done(counts(10_000));
    expect(lines.every((line) => line.endsWith('\n') && !line.includes('\r'))).toBe(true);
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.length).toBeLessThanOrEqual(12);
  });
});
