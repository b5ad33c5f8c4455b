import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureLogs } from '../newsletter/support';

const dbState = await vi.hoisted(async () => (await import('../newsletter/email-env')).hoistedTestState());
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('../newsletter/mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), dbState),
);

import { findUnannounced } from '@/lib/announce/articles';
import { announceNewArticles, DIGEST_THRESHOLD } from '@/lib/announce/enqueue';
import { ArticleNotAnnounceableError } from '@/lib/announce/errors';
import { createPrismaClient } from '@/lib/db';
import { suppressAddresses } from '@/lib/newsletter/suppression';
import { deliveryCounts, duplicates, outboxStatusCounts, recipientsOf, startAnnounceEnv, type AnnounceTestEnv } from './support';

/** Queueing: which articles, who gets them, exactly once, backfill, digest, dry run. */

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
  for (const slug of ['old-one', 'old-two', 'new-one', 'new-two', 'new-three', 'new-four', 'a-draft', 'the-future']) await t.removeArticle(slug);
});

const announce = (options: Parameters<typeof announceNewArticles>[0] = {}) =>
  announceNewArticles({ db: t.prisma, contentDir: t.contentDir, now: NOW, ...options });

/** A site where announcements are already on: one old article, backfilled by a first run. */
async function switchedOnSite(): Promise<void> {
  await t.writeArticle('old-one', { date: '2026-01-01' });
  const first = await announce();
  expect(first).toMatchObject({ firstRun: true, backfilled: ['old-one'], queued: 0 });
}

const count = async (table: string) =>
  Number((await t.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n);

describe('the first run on an existing site', () => {
  it('marks every published article as announced (backfilled) and mails nothing', async () => {
    await t.addSubscribers(5, 'first');
    await t.writeArticle('old-one', { date: '2026-01-01' });
    await t.writeArticle('old-two', { date: '2026-02-01' });
    const result = await announce();
    expect(result).toMatchObject({ dryRun: false, firstRun: true, mode: 'none', queued: 0, articles: [], recipients: 5 });
    expect(result.backfilled.sort()).toEqual(['old-one', 'old-two']);
    const rows = await t.prisma.announcement.findMany({ orderBy: { articleSlug: 'asc' } });
    expect(rows.map((row) => [row.articleSlug, row.backfilled, row.status, row.recipientCount, row.enqueuedAt])).toEqual([
      ['old-one', true, 'COMPLETED', 0, null],
      ['old-two', true, 'COMPLETED', 0, null],
    ]);
    expect(await count('outbox_emails')).toBe(0);
    expect(await count('announcement_deliveries')).toBe(0);

    // From now on a new article is announced.
    await t.writeArticle('new-one', { date: '2026-06-15' });
    const second = await announce();
    expect(second).toMatchObject({ firstRun: false, backfilled: [], mode: 'single', queued: 5, articles: [{ slug: 'new-one' }] });
  });

  it('a site with no article yet backfills nothing, so its first article is announced', async () => {
    await t.addSubscribers(2, 'fresh');
    expect(await announce()).toMatchObject({ firstRun: true, backfilled: [], queued: 0 });
    await t.writeArticle('new-one');
    expect(await announce()).toMatchObject({ firstRun: false, queued: 2 });
  });

  it('--article on the first run mails that one and backfills the others', async () => {
    await t.addSubscribers(3, 'forced');
    await t.writeArticle('old-one', { date: '2026-01-01' });
    await t.writeArticle('old-two', { date: '2026-02-01' });
    const result = await announce({ article: 'old-two' });
    expect(result).toMatchObject({ firstRun: true, backfilled: ['old-one'], articles: [{ slug: 'old-two' }], queued: 3 });
  });

  it('--article later mails a backfilled article once; asking again changes nothing', async () => {
    await t.addSubscribers(3, 'later');
    await switchedOnSite();
    const forced = await announce({ article: 'old-one' });
    expect(forced).toMatchObject({ firstRun: false, articles: [{ slug: 'old-one' }], queued: 3, alreadyAnnounced: [] });
    const row = await t.prisma.announcement.findUniqueOrThrow({ where: { articleSlug: 'old-one' } });
    expect(row).toMatchObject({ backfilled: false, status: 'SENDING', recipientCount: 3 });
    const again = await announce({ article: 'old-one' });
    expect(again).toMatchObject({ queued: 0, articles: [], alreadyAnnounced: ['old-one'] });
    expect(await count('outbox_emails')).toBe(3);
  });
});

describe('exactly once', () => {
  it('announcing twice queues (and sends) one email per subscriber', async () => {
    await t.addSubscribers(150, 'twice');
    await switchedOnSite();
    await t.writeArticle('new-one', { title: 'New one' });
    expect(await announce()).toMatchObject({ queued: 150, mode: 'single' });
    expect(await announce()).toMatchObject({ queued: 0, articles: [] });
    await t.send();
    expect(await announce()).toMatchObject({ queued: 0 });
    await t.send();

    const deliveries = t.fake.deliveries();
    expect(duplicates(deliveries)).toEqual([]);
    expect(recipientsOf(deliveries, 'New one').size).toBe(150);
    expect(deliveries).toHaveLength(150);
    expect(await outboxStatusCounts(t.prisma)).toEqual({ SENT: 150 });
    expect(await t.prisma.announcement.findUniqueOrThrow({ where: { articleSlug: 'new-one' } })).toMatchObject({ status: 'COMPLETED' });
  });

  it('two instances announcing at the same moment queue each email once', async () => {
    await t.addSubscribers(300, 'race');
    await switchedOnSite();
    await t.writeArticle('new-one');
    await t.writeArticle('new-two', { date: '2026-03-01' });
    const other = createPrismaClient(t.database.url);
    try {
      const results = await Promise.all([announce(), announceNewArticles({ db: other, contentDir: t.contentDir, now: NOW }), announce()]);
      expect(results.reduce((sum, result) => sum + result.queued, 0)).toBe(600);
    } finally {
      await other.$disconnect();
    }
    expect(await count('outbox_emails')).toBe(600);
    expect(await count('announcement_deliveries')).toBe(600);
    // The gate is the delivery row: one email per (subscriber, article) however the runs raced.
    const pairs = await t.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(DISTINCT (subscriber_id, payload)) ::int AS n FROM outbox_emails');
    expect(Number(pairs[0]!.n)).toBe(600);
  });

  it('queues only confirmed subscribers who are not suppressed, with the unsubscribe data to render per recipient', async () => {
    await t.addSubscribers(4, 'ok');
    await t.addSubscribers(2, 'pending', 'PENDING');
    await t.addSubscribers(2, 'gone', 'UNSUBSCRIBED');
    await switchedOnSite();
    await suppressAddresses(t.prisma, { emails: ['ok-1@example.com'], reason: 'BOUNCE' });
    await t.writeArticle('new-one', { title: 'Fresh' });
    const result = await announce();
    expect(result).toMatchObject({ recipients: 3, queued: 3 });
    const rows = await t.prisma.outboxEmail.findMany({ orderBy: { toAddress: 'asc' } });
    expect(rows.map((row) => row.toAddress)).toEqual(['ok-2@example.com', 'ok-3@example.com', 'ok-4@example.com']);
    for (const row of rows) {
      // Provider batches are formed with the rows now (set-based, in the same statement), not at the first claim.
      expect(row).toMatchObject({ kind: 'ANNOUNCEMENT', status: 'QUEUED', batchId: rows[0]!.batchId });
      expect(row.batchId).not.toBeNull();
      expect(row.dedupeKey).toBeNull(); // the delivery row is the gate
      expect(row.payload).toEqual({
        title: 'Fresh',
        description: 'All about new-one.',
        takeaways: ['The point of new-one.'],
        articleUrl: 'http://localhost:3000/articles/new-one',
      });
    }
    const deliveries = await t.prisma.announcementDelivery.findMany();
    expect(new Set(deliveries.map((d) => d.outboxEmailId))).toEqual(new Set(rows.map((row) => row.id)));
  });

  it('a crash inside the enqueue leaves nothing behind, and the next run does it all', async () => {
    await t.addSubscribers(10, 'crash');
    await switchedOnSite();
    await t.writeArticle('new-one');
    // The outbox insert fails half-way through the transaction (a row that breaks a CHECK would do the same).
    await t.prisma.$executeRawUnsafe(`ALTER TABLE outbox_emails ADD CONSTRAINT no_new_rows CHECK (kind <> 'ANNOUNCEMENT') NOT VALID`);
    try {
      await expect(announce()).rejects.toThrow();
    } finally {
      await t.prisma.$executeRawUnsafe('ALTER TABLE outbox_emails DROP CONSTRAINT no_new_rows');
    }
    expect(await t.prisma.announcement.count({ where: { articleSlug: 'new-one' } })).toBe(0);
    expect(await count('announcement_deliveries')).toBe(0);
    expect(await announce()).toMatchObject({ queued: 10, articles: [{ slug: 'new-one' }] });
  });

  it('deleting subscribers deletes their delivery rows (the trigger that stands in for the cascade)', async () => {
    await t.addSubscribers(6, 'leaving');
    await switchedOnSite();
    await t.writeArticle('new-one');
    expect(await announce()).toMatchObject({ queued: 6 });
    const leaving = await t.prisma.subscriber.findMany({ where: { email: { in: ['leaving-1@example.com', 'leaving-2@example.com'] } }, select: { id: true } });
    const ids = leaving.map((s) => s.id);
    await t.prisma.outboxEmail.deleteMany({ where: { subscriberId: { in: ids } } }); // as the data deletion does
    expect(await t.prisma.subscriber.deleteMany({ where: { id: { in: ids } } })).toEqual({ count: 2 });
    expect(await count('announcement_deliveries')).toBe(4);
    expect(await t.prisma.announcementDelivery.count({ where: { subscriberId: { in: ids } } })).toBe(0);
  });
});

describe('which articles', () => {
  it('never announces a draft or an article dated after today, and announces the latter on its day', async () => {
    await t.addSubscribers(2, 'visibility');
    await switchedOnSite();
    await t.writeArticle('a-draft', { draft: true, date: '2026-06-01' });
    await t.writeArticle('the-future', { date: '2026-06-16' });
    expect(await findUnannounced({ db: t.prisma, contentDir: t.contentDir, now: NOW })).toEqual([]);
    expect(await announce()).toMatchObject({ queued: 0, articles: [] });

    // Not even when forced.
    await expect(announce({ article: 'a-draft' })).rejects.toThrow(ArticleNotAnnounceableError);
    await expect(announce({ article: 'the-future' })).rejects.toMatchObject({ reason: 'scheduled' });
    await expect(announce({ article: 'no-such-article' })).rejects.toMatchObject({ reason: 'unknown' });
    expect(await count('outbox_emails')).toBe(0);

    // Whatever NODE_ENV says (development shows drafts and scheduled articles on the site).
    vi.stubEnv('NODE_ENV', 'development');
    try {
      expect(await announce()).toMatchObject({ queued: 0 });
    } finally {
      vi.unstubAllEnvs();
    }

    const nextDay = new Date('2026-06-16T00:00:01Z');
    expect(await announce({ now: nextDay })).toMatchObject({ queued: 2, articles: [{ slug: 'the-future' }] });
    expect(await t.prisma.announcement.findUnique({ where: { articleSlug: 'a-draft' } })).toBeNull();
  });
});

describe('the digest rule', () => {
  it(`${DIGEST_THRESHOLD + 1} new articles: one digest email per subscriber listing them`, async () => {
    await t.addSubscribers(120, 'digest');
    await switchedOnSite();
    const slugs = ['new-one', 'new-two', 'new-three', 'new-four'];
    for (const [i, slug] of slugs.entries()) await t.writeArticle(slug, { title: `Title ${slug}`, date: `2026-06-0${i + 1}` });
    const result = await announce();
    expect(result).toMatchObject({ mode: 'digest', queued: 120, recipients: 120 });
    expect(result.articles.map((a) => a.slug)).toEqual(slugs);

    const announcements = await t.prisma.announcement.findMany({ where: { articleSlug: { in: slugs } } });
    expect(new Set(announcements.map((a) => a.kind))).toEqual(new Set(['DIGEST']));
    expect(new Set(announcements.map((a) => a.digestId)).size).toBe(1);
    expect(await count('announcement_deliveries')).toBe(4 * 120);
    const digest = await t.prisma.outboxEmail.findFirstOrThrow();
    expect(digest.kind).toBe('DIGEST');
    // Newest first, as on the site.
    expect((digest.payload as { articles: { title: string }[] }).articles.map((a) => a.title)).toEqual(
      ['new-four', 'new-three', 'new-two', 'new-one'].map((slug) => `Title ${slug}`),
    );

    await t.send();
    const deliveries = t.fake.deliveries();
    expect(deliveries).toHaveLength(120);
    expect(duplicates(deliveries)).toEqual([]);
    expect(new Set(deliveries.map((d) => d.subject))).toEqual(new Set(['4 new articles on Quorum']));
    for (const slug of slugs) expect(deliveries[0]!.html).toContain(`http://localhost:3000/articles/${slug}`);
    // Announcing again sends no single email about any of them.
    expect(await announce()).toMatchObject({ queued: 0 });
  });

  it(`${DIGEST_THRESHOLD} new articles: three emails per subscriber`, async () => {
    await t.addSubscribers(7, 'three');
    await switchedOnSite();
    for (const slug of ['new-one', 'new-two', 'new-three']) await t.writeArticle(slug, { title: `Title ${slug}` });
    expect(await announce()).toMatchObject({ mode: 'single', queued: 21 });
    await t.send();
    const counts = deliveryCounts(t.fake.deliveries());
    expect(counts.size).toBe(21);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(recipientsOf(t.fake.deliveries(), 'Title new-two').size).toBe(7);
  });
});

describe('dry run', () => {
  it('reports the articles and the recipients, and writes and sends nothing', async () => {
    await t.addSubscribers(9, 'dry');
    await t.writeArticle('old-one', { date: '2026-01-01' });
    const before = { switch: await count('announcement_switch'), announcements: await count('announcements') };
    const firstDry = await announce({ dryRun: true });
    expect(firstDry).toMatchObject({ dryRun: true, firstRun: true, backfilled: ['old-one'], queued: 0, recipients: 9 });
    expect({ switch: await count('announcement_switch'), announcements: await count('announcements') }).toEqual(before);

    await announce(); // switch on for real
    await t.writeArticle('new-one', { title: 'Would go' });
    const dry = await announce({ dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, firstRun: false, articles: [{ slug: 'new-one', title: 'Would go' }], mode: 'single', recipients: 9, queued: 9 });
    expect(await count('outbox_emails')).toBe(0);
    expect(await count('announcement_deliveries')).toBe(0);
    expect(await t.prisma.announcement.findUnique({ where: { articleSlug: 'new-one' } })).toBeNull();
    expect(t.fake.requests()).toHaveLength(0);
  });
});
