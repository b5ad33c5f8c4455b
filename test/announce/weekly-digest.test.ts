import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureLogs } from '../newsletter/support';

const dbState = await vi.hoisted(async () => (await import('../newsletter/email-env')).hoistedTestState());
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('../newsletter/mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), dbState),
);

import { announceNewArticles } from '@/lib/announce/enqueue';
import { queueWeeklyDigests, weekOf } from '@/lib/announce/weekly-digest';
import { setPreference } from '@/lib/newsletter/service';
import { createManageToken } from '@/lib/newsletter/tokens';
import { isoDay } from '@/lib/reader-preference';
import { duplicates, recipientsOf, startAnnounceEnv, type AnnounceTestEnv } from './support';

/**
 * Reader preferences against the real Postgres and the real resend SDK talking to the fake API:
 * "every article" subscribers get announcements as before, weekly ones one digest a week (exactly
 * once across repeated, concurrent and killed runs), paused ones nothing until their date.
 * The clock is the real one: the sender's last check compares a pause with the database's now().
 */

let t: AnnounceTestEnv;
const NOW = new Date();
const TODAY = isoDay(NOW);
const DAY = 86_400_000;
const SUBJECT = (n: number, title?: string) => (n === 1 ? `This week on Quorum: ${title}` : `This week on Quorum: ${n} new articles`);

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
  for (const slug of ['old-one', 'fresh-one', 'fresh-two', 'next-week', 'long-ago']) await t.removeArticle(slug);
});

const digest = (options: Parameters<typeof queueWeeklyDigests>[0] = {}) => queueWeeklyDigests({ db: t.prisma, contentDir: t.contentDir, now: NOW, ...options });
const announce = (now = NOW) => announceNewArticles({ db: t.prisma, contentDir: t.contentDir, now });

async function setDelivery(label: string, delivery: 'EVERY' | 'WEEKLY', pausedUntil: Date | null = null): Promise<void> {
  await t.prisma.$executeRawUnsafe(
    `UPDATE subscribers SET delivery = $2::subscriber_delivery, paused_until = $3::timestamptz WHERE email LIKE $1 || '-%'`,
    label,
    delivery,
    pausedUntil,
  );
}

const emailsOf = async (label: string) =>
  (await t.prisma.subscriber.findMany({ where: { email: { startsWith: `${label}-` } }, select: { email: true } })).map((s) => s.email).sort();

const digestRows = async () => Number((await t.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM weekly_digests'))[0]!.n);

/** Announcements switched on with nothing to announce yet (the first run backfills). */
async function switchedOn(): Promise<void> {
  expect(await announce()).toMatchObject({ firstRun: true });
}

describe('every article and weekly subscribers', () => {
  it('"every" subscribers get the announcement as today, weekly ones get no per-article email but one digest', async () => {
    await t.addSubscribers(3, 'every');
    await t.addSubscribers(2, 'weekly');
    await setDelivery('weekly', 'WEEKLY');
    await switchedOn();
    await t.writeArticle('fresh-one', { title: 'Fresh one', date: TODAY });

    const announced = await announce();
    expect(announced).toMatchObject({ mode: 'single', recipients: 3, queued: 3 });
    await t.send();
    expect(recipientsOf(t.fake.deliveries(), 'Fresh one')).toEqual(new Set(await emailsOf('every')));

    const queued = await digest();
    expect(queued).toMatchObject({ dryRun: false, weekOf: weekOf(NOW), weeklySubscribers: 2, queued: 2 });
    await t.send();
    const deliveries = t.fake.deliveries();
    expect(recipientsOf(deliveries, SUBJECT(1, 'Fresh one'))).toEqual(new Set(await emailsOf('weekly')));
    expect(duplicates(deliveries)).toEqual([]);

    // The digest carries the unsubscribe and manage links and the one-click headers, per subscriber.
    const one = deliveries.find((d) => d.subject === SUBJECT(1, 'Fresh one'))!;
    const subscriber = await t.prisma.subscriber.findUniqueOrThrow({ where: { email: one.to[0]! } });
    const token = createManageToken(subscriber.id, t.secret);
    expect(one.headers['List-Unsubscribe']).toBe(`<http://localhost:3000/api/newsletter/unsubscribe?token=${token}>`);
    expect(one.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(one.html).toContain(`/newsletter/manage?token=${token}`);
    expect(one.text).toContain('http://localhost:3000/articles/fresh-one');
  }, 30_000);

  it('a subscriber who switched from every article to weekly does not get an article twice', async () => {
    await t.addSubscribers(2, 'switcher');
    await switchedOn();
    await t.writeArticle('fresh-one', { title: 'Fresh one', date: TODAY });
    await announce();
    await t.send();
    await setDelivery('switcher', 'WEEKLY');
    await t.writeArticle('fresh-two', { title: 'Fresh two', date: TODAY });
    expect(await announce()).toMatchObject({ queued: 0 });
    expect(await digest()).toMatchObject({ queued: 2 });
    await t.send();
    const digests = t.fake.deliveries().filter((d) => d.subject.startsWith('This week'));
    expect(digests.map((d) => d.subject)).toEqual([SUBJECT(1, 'Fresh two'), SUBJECT(1, 'Fresh two')]);
  }, 30_000);

  it('sends nothing, and records nothing, in a week when nothing was published', async () => {
    await t.addSubscribers(4, 'quiet');
    await setDelivery('quiet', 'WEEKLY');
    await t.writeArticle('long-ago', { date: isoDay(new Date(NOW.getTime() - 30 * DAY)) });
    expect(await digest()).toMatchObject({ recentArticles: 0, weeklySubscribers: 4, queued: 0 });
    expect(await digestRows()).toBe(0);
    await t.send();
    expect(t.fake.deliveries()).toHaveLength(0);
  });

  it('the next week lists only what was published since the last digest', async () => {
    await t.addSubscribers(2, 'twoweeks');
    await setDelivery('twoweeks', 'WEEKLY');
    await t.writeArticle('fresh-one', { title: 'Fresh one', date: TODAY });
    expect(await digest()).toMatchObject({ queued: 2 });
    const nextWeek = new Date(NOW.getTime() + 7 * DAY);
    await t.writeArticle('next-week', { title: 'Next week', date: isoDay(nextWeek) });
    expect(await digest({ now: nextWeek })).toMatchObject({ weekOf: weekOf(nextWeek), queued: 2 });
    // Next week's rows are due next week.
    await t.send({ now: () => nextWeek });
    const subjects = t.fake.deliveries().map((d) => d.subject).sort();
    expect(subjects).toEqual([SUBJECT(1, 'Fresh one'), SUBJECT(1, 'Fresh one'), SUBJECT(1, 'Next week'), SUBJECT(1, 'Next week')]);
  }, 30_000);
});

describe('exactly once per subscriber per week', () => {
  it('a repeated run queues nothing more, and two runs at once queue each digest once', async () => {
    await t.addSubscribers(250, 'repeat');
    await setDelivery('repeat', 'WEEKLY');
    await t.writeArticle('fresh-one', { title: 'Fresh one', date: TODAY });
    await t.writeArticle('fresh-two', { title: 'Fresh two', date: TODAY });
    const [a, b] = await Promise.all([digest({ chunkSize: 40 }), digest({ chunkSize: 40 })]);
    expect(a.queued + b.queued).toBe(250);
    expect(await digest()).toMatchObject({ queued: 0 });
    await t.send();
    await t.send();
    const deliveries = t.fake.deliveries();
    expect(duplicates(deliveries)).toEqual([]);
    expect(recipientsOf(deliveries, SUBJECT(2)).size).toBe(250);
    expect(deliveries).toHaveLength(250);
    expect(await digestRows()).toBe(250);
  }, 60_000);

  it('a run killed half-way keeps what it committed; the next run does the rest, nobody twice', async () => {
    await t.addSubscribers(300, 'killed');
    await setDelivery('killed', 'WEEKLY');
    await t.writeArticle('fresh-one', { title: 'Fresh one', date: TODAY });
    // The process "dies" after its second chunk's commit (the third never starts).
    let chunks = 0;
    await expect(
      digest({
        chunkSize: 100,
        onChunk: () => {
          chunks += 1;
          if (chunks === 2) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    expect(await digestRows()).toBe(200);
    // Some of it was sent before the rerun (the outbox worker does not wait for the run to finish).
    await t.send();
    expect(t.fake.deliveries()).toHaveLength(200);

    expect(await digest({ chunkSize: 100 })).toMatchObject({ queued: 100 });
    await t.send();
    const deliveries = t.fake.deliveries();
    expect(duplicates(deliveries)).toEqual([]);
    expect(recipientsOf(deliveries, SUBJECT(1, 'Fresh one'))).toEqual(new Set(await emailsOf('killed')));
    expect(await digest()).toMatchObject({ queued: 0 });
  }, 60_000);
});

describe('a pause', () => {
  it('paused subscribers get nothing until the date, and resume after it', async () => {
    await t.addSubscribers(2, 'pevery');
    await t.addSubscribers(2, 'pweekly');
    const tomorrow = new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth(), NOW.getUTCDate() + 1));
    await setDelivery('pevery', 'EVERY', tomorrow);
    await setDelivery('pweekly', 'WEEKLY', tomorrow);
    await switchedOn();
    await t.writeArticle('fresh-one', { title: 'Fresh one', date: TODAY });
    expect(await announce()).toMatchObject({ recipients: 0, queued: 0 });
    expect(await digest()).toMatchObject({ weeklySubscribers: 0, queued: 0 });
    await t.send();
    expect(t.fake.deliveries()).toHaveLength(0);

    // The date passes (a pause that ended a minute ago counts as resumed: no job needed).
    await t.prisma.$executeRawUnsafe(`UPDATE subscribers SET paused_until = now() - interval '1 minute'`);
    await t.writeArticle('fresh-two', { title: 'Fresh two', date: TODAY });
    expect(await announce()).toMatchObject({ recipients: 2, queued: 2 });
    expect(await digest()).toMatchObject({ weeklySubscribers: 2, queued: 2 });
    await t.send();
    const deliveries = t.fake.deliveries();
    expect(recipientsOf(deliveries, 'Fresh two')).toEqual(new Set(await emailsOf('pevery')));
    // What was published before the pause ended is not sent afterwards; today's is.
    expect(recipientsOf(deliveries, 'Fresh one').size).toBe(0);
    expect(recipientsOf(deliveries, SUBJECT(2))).toEqual(new Set(await emailsOf('pweekly')));
  }, 30_000);

  it('a pause or a switch after the enqueue wins: the sender re-checks before each send', async () => {
    await t.addSubscribers(2, 'late');
    await switchedOn();
    await t.writeArticle('fresh-one', { title: 'Fresh one', date: TODAY });
    await announce();
    const [first, second] = await t.prisma.subscriber.findMany({ where: { email: { startsWith: 'late-' } }, orderBy: { email: 'asc' } });
    const until = isoDay(new Date(NOW.getTime() + 3 * DAY));
    expect(await setPreference(createManageToken(first!.id, t.secret), { delivery: 'pause', until })).toMatchObject({ status: 'saved' });
    expect(await setPreference(createManageToken(second!.id, t.secret), { delivery: 'weekly' })).toMatchObject({ status: 'saved' });
    const totals = await t.send();
    expect(totals).toMatchObject({ sent: 0, cancelled: 2 });
    expect(t.fake.deliveries()).toHaveLength(0);
    const rows = await t.prisma.outboxEmail.findMany({ where: { kind: 'ANNOUNCEMENT' } });
    expect(rows.map((row) => [row.status, row.lastError])).toEqual([
      ['CANCELLED', 'cancelled: paused, or chose another delivery'],
      ['CANCELLED', 'cancelled: paused, or chose another delivery'],
    ]);
  }, 30_000);
});
