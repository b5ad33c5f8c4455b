import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureLogs, jsonRequest, resendTransport } from '../newsletter/support';

const ANNOUNCE_SECRET = vi.hoisted(() => {
  // lib/env.ts reads the environment once, at its first import.
  process.env.ANNOUNCE_SECRET = 'announce-secret-for-the-tests';
  return process.env.ANNOUNCE_SECRET;
});
const dbState = await vi.hoisted(async () => (await import('../newsletter/email-env')).hoistedTestState());
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('../newsletter/mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), dbState),
);

import { POST } from '@/app/api/announce/route';
import { publishedArticles } from '@/lib/announce/articles';
import { runAnnounceCommand } from '@/lib/announce/command';
import { TokenBucket } from '@/lib/outbox/token-bucket';
import { runOutboxWorkerStep } from '@/lib/sending';
import { duplicates, outboxStatusCounts, startAnnounceEnv, type AnnounceTestEnv } from './support';

/**
 * POST /api/announce (on the project's real content/ folder, which holds a draft and an article
 * scheduled for 2031) and `npm run announce` (runAnnounceCommand with captured output).
 */

let t: AnnounceTestEnv;
const URL = 'http://localhost:3000/api/announce';

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
  await t.removeArticle('new-two');
});

const post = (body?: unknown, token: string | null = ANNOUNCE_SECRET) =>
  POST(
    body === undefined
      ? new Request(URL, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} })
      : jsonRequest(URL, body, { headers: token ? { authorization: `Bearer ${token}` } : {} }),
  );

describe('POST /api/announce', { timeout: 30_000 }, () => {
  it('refuses without the bearer token (401) and changes nothing', async () => {
    expect((await post(undefined, null)).status).toBe(401);
    const wrong = await post(undefined, 'not-the-secret-at-all');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
    expect(await t.prisma.announcementSwitch.count()).toBe(0);
  });

  it('first call: switches on and backfills the published articles; then a forced one is queued, once', async () => {
    await t.addSubscribers(5, 'route');
    const first = await post();
    expect(first.status).toBe(200);
    const body = (await first.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ ok: true, dryRun: false, firstRun: true, queued: 0, mode: 'none', recipients: 5 });
    const published = publishedArticles().map((article) => article.slug);
    expect(published).toContain('zero-downtime-deployments');
    expect(published).not.toContain('observability-logs-metrics-traces'); // a draft
    expect(published).not.toContain('rate-limiting-algorithms'); // scheduled for 2031
    expect((body.backfilled as string[]).sort()).toEqual(published.sort());

    const dry = await post({ article: 'zero-downtime-deployments', dryRun: true });
    expect(await dry.json()).toMatchObject({ ok: true, dryRun: true, queued: 5, articles: [{ slug: 'zero-downtime-deployments' }] });
    expect(await t.prisma.outboxEmail.count()).toBe(0);

    const forced = await post({ article: 'zero-downtime-deployments' });
    expect(await forced.json()).toMatchObject({ ok: true, queued: 5, mode: 'single', articles: [{ slug: 'zero-downtime-deployments' }] });
    const again = await post({ article: 'zero-downtime-deployments' });
    expect(await again.json()).toMatchObject({ ok: true, queued: 0, alreadyAnnounced: ['zero-downtime-deployments'] });
    expect(await t.prisma.outboxEmail.count()).toBe(5);
    expect(t.fake.requests()).toHaveLength(0); // the route only queues; the worker sends
  });

  it('answers 422 for a draft or a scheduled article, 404 for an unknown one, 422 for a bad body', async () => {
    await post();
    const draft = await post({ article: 'observability-logs-metrics-traces' });
    expect(draft.status).toBe(422);
    expect(await draft.json()).toMatchObject({ ok: false, code: 'article-draft' });
    const scheduled = await post({ article: 'rate-limiting-algorithms' });
    expect(scheduled.status).toBe(422);
    expect(await scheduled.json()).toMatchObject({ code: 'article-scheduled' });
    expect((await post({ article: 'no-such-article' })).status).toBe(404);
    expect((await post({ article: '../etc/passwd' })).status).toBe(422);
    expect((await post({ everything: true })).status).toBe(422);
    expect(await t.prisma.outboxEmail.count()).toBe(0);
  });

  it('what it queues, the outbox worker step sends in batches', async () => {
    await t.addSubscribers(130, 'worker');
    await post();
    await post({ article: 'understanding-distributed-systems' });
    const step = await runOutboxWorkerStep({ workerId: 'worker-step', db: t.prisma, transport: resendTransport(t.fake) });
    expect(step.announcements).toMatchObject({ batches: 2, sent: 130 });
    expect(t.fake.requests().map((r) => r.path)).toEqual(['/emails/batch', '/emails/batch']);
    expect(duplicates(t.fake.deliveries())).toEqual([]);
    expect(await outboxStatusCounts(t.prisma)).toEqual({ SENT: 130 });
  });
});

describe('npm run announce', () => {
  function streams(tty = false) {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      stdout: { write: (chunk: string) => out.push(chunk), isTTY: tty },
      stderr: { write: (chunk: string) => err.push(chunk), isTTY: tty },
    };
  }
  const run = (argv: string[], io = streams()) =>
    runAnnounceCommand({
      argv: ['--content-dir', t.contentDir, ...argv],
      db: t.prisma,
      transport: resendTransport(t.fake),
      stdout: io.stdout,
      stderr: io.stderr,
      secret: t.secret,
      limiter: new TokenBucket({ requestsPerSecond: 50 }),
    });

  it('--dry-run prints the articles and the recipients, and writes and sends nothing', async () => {
    await t.addSubscribers(12, 'cli-dry');
    await run([]); // switch on (nothing published yet)
    await t.writeArticle('new-one', { title: 'New one' });
    const io = streams();
    expect(await run(['--dry-run'], io)).toBe(0);
    const text = io.out.join('');
    expect(text).toContain('Dry run: nothing is written and nothing is sent.');
    expect(text).toContain('new-one: New one');
    expect(text).toContain('Recipients: 12 confirmed subscribers');
    expect(text).toContain('Would queue: 12 emails');
    expect(await t.prisma.outboxEmail.count()).toBe(0);
    expect(await t.prisma.announcement.count()).toBe(0);
    expect(t.fake.requests()).toHaveLength(0);
  });

  it('queues, sends with progress lines (not a TTY) and ends with the summary', async () => {
    await t.addSubscribers(250, 'cli');
    await run([]);
    await t.writeArticle('new-one', { title: 'New one' });
    const io = streams(false);
    expect(await run([], io)).toBe(0);
    expect(io.out.join('')).toContain('Queued: 250 emails');
    const progress = io.err.join('');
    expect(progress).not.toContain('\r');
    expect(progress).toMatch(/sending: 250 \/ 250 sent \(100%\)/);
    expect(io.out.at(-1)).toBe('Summary: queued 250, sent 250, skipped 0, failed 0\n');
    expect(t.fake.deliveries()).toHaveLength(250);

    // Again: nothing new, nothing sent.
    const again = streams();
    expect(await run([], again)).toBe(0);
    expect(again.out.join('')).toContain('No new articles to announce.');
    expect(again.out.at(-1)).toBe('Summary: queued 0, sent 0, skipped 0, failed 0\n');
    expect(t.fake.deliveries()).toHaveLength(250);
  });

  it('rewrites a counter in place on a TTY', async () => {
    await t.addSubscribers(150, 'tty');
    await run([]);
    await t.writeArticle('new-one');
    const io = streams(true);
    expect(await run([], io)).toBe(0);
    expect(io.err.join('')).toMatch(/\rsending: 150 \/ 150 sent \(100%\)[^\n]*\n$/);
  });

  it('refuses a draft with a clear message and exit code 2; unknown options print the usage', async () => {
    await t.writeArticle('new-two', { draft: true });
    const io = streams();
    expect(await run(['--article', 'new-two'], io)).toBe(2);
    expect(io.err.join('')).toContain('Cannot announce: "new-two" is a draft');
    const bad = streams();
    expect(await run(['--frobnicate'], bad)).toBe(2);
    expect(bad.err.join('')).toContain('Usage: npm run announce');
    expect(await t.prisma.announcement.count()).toBe(0);
  });
});
