import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
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

import { POST } from '@/app/api/digest/route';
import { runDigestCommand } from '@/lib/announce/digest-command';
import { TokenBucket } from '@/lib/outbox/token-bucket';
import { isoDay } from '@/lib/reader-preference';
import { duplicates, recipientsOf, startAnnounceEnv, spawnCommand, type AnnounceTestEnv } from './support';

/** POST /api/digest (bearer token as for announce) and `npm run digest`, including a SIGKILLed run. */

let t: AnnounceTestEnv;
const URL = 'http://localhost:3000/api/digest';
const TODAY = isoDay(new Date());

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
  await t.removeArticle('fresh-one');
});

const weekly = (label: string) =>
  t.prisma.$executeRawUnsafe(`UPDATE subscribers SET delivery = 'WEEKLY' WHERE email LIKE $1 || '-%'`, label);

const post = (body?: unknown, token: string | null = ANNOUNCE_SECRET) =>
  POST(
    body === undefined
      ? new Request(URL, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} })
      : jsonRequest(URL, body, { headers: token ? { authorization: `Bearer ${token}` } : {} }),
  );

describe('POST /api/digest', () => {
  it('refuses without the bearer token (401) and writes nothing', async () => {
    await t.addSubscribers(3, 'anon');
    await weekly('anon');
    expect((await post(undefined, null)).status).toBe(401);
    const wrong = await post(undefined, 'not-the-secret-at-all');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
    expect(await t.prisma.weeklyDigest.count()).toBe(0);
  });

  it('queues the week once (on the real content folder); a dry run and a repeat queue nothing; a bad body is 422', async () => {
    await t.addSubscribers(4, 'route');
    await weekly('route');
    const dry = await post({ dryRun: true });
    expect(dry.status).toBe(200);
    const planned = (await dry.json()) as { recentArticles: number; weeklySubscribers: number };
    expect(planned).toMatchObject({ ok: true, dryRun: true, weeklySubscribers: 4 });
    expect(await t.prisma.outboxEmail.count()).toBe(0);

    const first = (await (await post()).json()) as { queued: number; recentArticles: number };
    expect(first).toMatchObject({ ok: true, dryRun: false });
    expect(first.queued).toBe(first.recentArticles > 0 ? 4 : 0);
    expect(await (await post()).json()).toMatchObject({ ok: true, queued: 0 });
    expect(await t.prisma.outboxEmail.count({ where: { kind: 'WEEKLY_DIGEST' } })).toBe(first.queued);

    const bad = await post({ dryRun: 'perhaps' });
    expect(bad.status).toBe(422);
  }, 60_000);
});

describe('npm run digest', () => {
  function streams() {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, stdout: { write: (c: string) => out.push(c), isTTY: false }, stderr: { write: (c: string) => err.push(c), isTTY: false } };
  }
  const run = (argv: string[], io = streams()) =>
    runDigestCommand({
      argv: ['--content-dir', t.contentDir, ...argv],
      db: t.prisma,
      transport: resendTransport(t.fake),
      stdout: io.stdout,
      stderr: io.stderr,
      secret: t.secret,
      limiter: new TokenBucket({ requestsPerSecond: 50 }),
    });

  it('queues and sends the week, prints a summary; run again it sends nothing more; bad usage is exit 2', async () => {
    await t.addSubscribers(130, 'cli');
    await weekly('cli');
    await t.writeArticle('fresh-one', { title: 'Fresh one', date: TODAY });
    const dry = streams();
    expect(await run(['--dry-run'], dry)).toBe(0);
    expect(dry.out.join('')).toContain('Would queue at most: 130 digests');
    expect(await t.prisma.weeklyDigest.count()).toBe(0);

    const io = streams();
    expect(await run([], io)).toBe(0);
    expect(io.out.join('')).toContain('Queued: 130 digests');
    expect(io.out.join('')).toContain('Summary: queued 130, sent 130, skipped 0, failed 0; 0 left');
    const again = streams();
    expect(await run([], again)).toBe(0);
    expect(again.out.join('')).toContain('Queued: 0 digests');
    expect(t.fake.deliveries()).toHaveLength(130);
    expect(duplicates(t.fake.deliveries())).toEqual([]);

    const bad = streams();
    expect(await run(['--wait', 'soon'], bad)).toBe(2);
    expect(await run(['--nope'], streams())).toBe(2);
  }, 30_000);

  it('killed with SIGKILL while sending, then run again: every weekly subscriber gets exactly one digest', async () => {
    await t.addSubscribers(450, 'killed');
    await weekly('killed');
    await t.writeArticle('fresh-one', { title: 'Fresh one', date: TODAY });
    t.fake.setDelay(400);
    const { child, output: out, exited } = spawnCommand(t, 'scripts/digest.ts', ['--content-dir', t.contentDir, '--wait', '0']);
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
    expect(t.fake.deliveries().length).toBeLessThan(450);

    await new Promise((resolve) => setTimeout(resolve, 500));
    t.fake.setDelay(0);
    // The rerun queues nothing new (the week is done) and sends what the dead run left, once its lease has run out.
    const io = streams();
    const rerun = runDigestCommand({
      argv: ['--content-dir', t.contentDir, '--wait', '0'],
      db: t.prisma,
      transport: resendTransport(t.fake),
      stdout: io.stdout,
      stderr: io.stderr,
      secret: t.secret,
      limiter: new TokenBucket({ requestsPerSecond: 50 }),
      now: () => new Date(Date.now() + 3 * 60_000),
    });
    expect(await rerun).toBe(0);
    expect(io.out.join('')).toContain('Queued: 0 digests');
    const deliveries = t.fake.deliveries();
    expect(duplicates(deliveries)).toEqual([]);
    expect(recipientsOf(deliveries, 'This week on Quorum: Fresh one').size).toBe(450);
    expect(deliveries).toHaveLength(450);
  }, 90_000);
});
