// Over 300 lines on purpose: the first run, the digest rule and the exactly-once insert are one decision, read best in one place.
import { randomUUID } from 'node:crypto';
import { getDb } from '../db';
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import type { AnnouncementPayload, DigestPayload } from './emails';
import {
  articleUrl,
  findUnannounced,
  publishedArticle,
  publishedArticles,
  type AnnounceableArticle,
  type ContentOptions,
} from './articles';
import { insertQueuedBatchesSql, PROVIDER_BATCH_SIZE } from '../outbox/write';
import { log } from './log';
import { EVERY_ARTICLE_SQL } from '../reader-preference';



/**
 * Queueing the emails about newly published articles: one email per confirmed, non-suppressed
 * subscriber per article, exactly once, whatever the number of runs, crashes or instances.
 *
 * - An Announcement row per article (unique slug) says "this article has been dealt with". A run
 *   takes an article by inserting its row (INSERT … ON CONFLICT DO NOTHING RETURNING): a second run or
 *   instance waits for the first's transaction and then gets nothing back, so it queues nothing.
 * - The recipients are chosen and queued by ONE statement per email (batches included): INSERT … SELECT … FROM
 *   subscribers WHERE status = 'CONFIRMED' AND NOT EXISTS (suppression) into announcement_deliveries
 *   (unique announcement + subscriber: the exactly-once gate, ON CONFLICT DO NOTHING), and the rows
 *   that passed the gate into the outbox in the same statement. No subscriber is loaded into this
 *   process, so 100,000 subscribers cost the database a few seconds and this process nothing.
 * - All of it is one transaction: a run that dies half-way leaves nothing behind, and the next run
 *   finds the same articles unannounced.
 * - The first run on a site (no announcement_switch row yet) marks every article already published
 *   as announced (backfilled) without sending anything, so switching announcements on does not mail
 *   the back catalogue. `article` forces one article, even a backfilled one (never twice).
 * - More than DIGEST_THRESHOLD new articles in one run: one digest email per subscriber listing them.
 */

/** A run that finds more than this many new articles sends one digest instead. */
export const DIGEST_THRESHOLD = 3;
/** Articles per digest email (the template's limit); more make several digests. */
export const DIGEST_MAX_ARTICLES = 50;
/** Queueing 100,000 rows takes seconds; Prisma's default interactive-transaction timeout is 5 s. */
const ENQUEUE_TRANSACTION_TIMEOUT_MS = 10 * 60_000;

export type AnnounceOptions = ContentOptions & {
  db?: PrismaClient;
  /** Announce only this article (by slug): even one marked as announced by the first run's backfill. */
  article?: string;
  /** Report what would happen; write nothing. */
  dryRun?: boolean;
};

export type AnnounceMode = 'none' | 'single' | 'digest';

export type AnnounceResult = {
  dryRun: boolean;
  /** This run switched announcements on: the articles already published were backfilled, not mailed. */
  firstRun: boolean;
  /** Slugs marked as announced without sending (by this run). */
  backfilled: string[];
  /** The articles this run queued emails about (a dry run: would queue), oldest first. */
  articles: { slug: string; title: string }[];
  mode: AnnounceMode;
  /** Confirmed subscribers who are not suppressed, right now. */
  recipients: number;
  /** Emails queued in the outbox by this run; in a dry run, how many it would queue. */
  queued: number;
  /** `article` named an article that was already announced (sent, not backfilled): nothing to do. */
  alreadyAnnounced: string[];
};

type Tx = Prisma.TransactionClient | PrismaClient;

/**
 * Confirmed subscribers with no suppression, as SQL (used by the count and by the enqueue); of them,
 * only those who take every article and are not paused (weekly ones get lib/announce/weekly-digest.ts).
 */
const RECIPIENTS_WHERE = `s.status = 'CONFIRMED' AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.email = s.email) AND ${EVERY_ARTICLE_SQL}`;

export async function countRecipients(db: Tx): Promise<number> {
  const rows = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM subscribers s WHERE ${RECIPIENTS_WHERE}`);
  return Number(rows[0]?.n ?? 0);
}

async function switchedOn(db: Tx): Promise<boolean> {
  const rows = await db.$queryRaw<{ id: number }[]>`SELECT id FROM announcement_switch LIMIT 1`;
  return rows.length > 0;
}

function modeFor(count: number): AnnounceMode {
  if (count === 0) return 'none';
  return count > DIGEST_THRESHOLD ? 'digest' : 'single';
}

function emailCount(mode: AnnounceMode, articles: number, recipients: number): number {
  if (mode === 'none') return 0;
  return mode === 'digest' ? Math.ceil(articles / DIGEST_MAX_ARTICLES) * recipients : articles * recipients;
}

const summary = (article: AnnounceableArticle) => ({ slug: article.slug, title: article.title });

/**
 * Finds published articles without an announcement and queues their emails (see the module
 * comment). Throws ArticleNotAnnounceableError for an `article` readers cannot see, and
 * ContentError when the content folder does not validate; writes nothing in either case.
 */
export async function announceNewArticles(options: AnnounceOptions = {}): Promise<AnnounceResult> {
  const db = options.db ?? getDb();
  const now = options.now ?? new Date();
  const content = { contentDir: options.contentDir, now };
  const published = publishedArticles(content);
  const forced = options.article === undefined ? undefined : publishedArticle(options.article, content);

  if (options.dryRun) return dryRun(db, published, forced);

  // 1. Switch on. The first run (the one whose insert returns the row) backfills in the same transaction.
  const { firstRun, backfilled } = await db.$transaction(async (tx) => {
    const inserted = await tx.$queryRaw<{ id: number }[]>`
      INSERT INTO announcement_switch (id, switched_on_at) VALUES (1, ${now}::timestamptz)
      ON CONFLICT (id) DO NOTHING RETURNING id`;
    if (inserted.length === 0) return { firstRun: false, backfilled: [] as string[] };
    const toBackfill = published.filter((article) => article.slug !== forced?.slug);
    return { firstRun: true, backfilled: await backfill(tx, toBackfill, now) };
  });
  if (firstRun) log.info('announce-switched-on', { backfilled: backfilled.length });

  // 2. What to announce.
  const alreadyAnnounced: string[] = [];
  let candidates: AnnounceableArticle[];
  if (forced) {
    const existing = await db.announcement.findUnique({ where: { articleSlug: forced.slug }, select: { backfilled: true } });
    if (existing && !existing.backfilled) {
      alreadyAnnounced.push(forced.slug);
      candidates = [];
    } else {
      candidates = [forced];
    }
  } else {
    candidates = await findUnannounced({ db, articles: published });
  }

  // 3. Queue, all or nothing.
  const queued = await db.$transaction(
    async (tx) => {
      const owned = await takeAnnouncements(tx, candidates, now, forced?.slug);
      const articles = candidates.filter((article) => owned.has(article.slug));
      const mode = modeFor(articles.length);
      let rows = 0;
      let recipients = 0;
      if (mode === 'digest') {
        // Newest first in the email, as on the site.
        const newestFirst = [...articles].reverse();
        for (let start = 0; start < newestFirst.length; start += DIGEST_MAX_ARTICLES) {
          const chunk = newestFirst.slice(start, start + DIGEST_MAX_ARTICLES);
          const digestId = randomUUID();
          const ids = chunk.map((article) => owned.get(article.slug)!);
          await tx.$executeRaw`
            UPDATE announcements SET kind = 'DIGEST', digest_id = ${digestId}::uuid WHERE id = ANY(${ids}::uuid[])`;
          const payload: DigestPayload = {
            articles: chunk.map((article) => ({ title: article.title, description: article.description, articleUrl: articleUrl(article.slug) })),
          };
          const result = await queueEmails(tx, { announcementIds: ids, kind: 'DIGEST', payload, now });
          rows += result.queued;
          recipients = Math.max(recipients, result.recipients);
          await setRecipientCount(tx, ids, result.recipients);
        }
      } else {
        for (const article of articles) {
          const id = owned.get(article.slug)!;
          const payload: AnnouncementPayload = {
            title: article.title,
            description: article.description,
            takeaways: article.takeaways,
            articleUrl: articleUrl(article.slug),
          };
          const result = await queueEmails(tx, {
            announcementIds: [id],
            kind: 'ANNOUNCEMENT',
            payload,
            now,
          });
          rows += result.queued;
          recipients = Math.max(recipients, result.recipients);
          await setRecipientCount(tx, [id], result.recipients);
        }
      }
      return { rows, recipients, articles, mode };
    },
    { timeout: ENQUEUE_TRANSACTION_TIMEOUT_MS, maxWait: 60_000 },
  );

  const recipients = queued.mode === 'none' ? await countRecipients(db) : queued.recipients;
  const result: AnnounceResult = {
    dryRun: false,
    firstRun,
    backfilled,
    articles: queued.articles.map(summary),
    mode: queued.mode,
    recipients,
    queued: queued.rows,
    alreadyAnnounced,
  };
  log.info('announce-enqueued', {
    firstRun,
    backfilled: backfilled.length,
    articles: result.articles.map((article) => article.slug).join(','),
    mode: result.mode,
    recipients,
    queued: result.queued,
  });
  return result;
}

async function dryRun(db: PrismaClient, published: AnnounceableArticle[], forced: AnnounceableArticle | undefined): Promise<AnnounceResult> {
  const firstRun = !(await switchedOn(db));
  const alreadyAnnounced: string[] = [];
  let candidates: AnnounceableArticle[];
  let backfilled: string[] = [];
  if (firstRun) {
    backfilled = published.filter((article) => article.slug !== forced?.slug).map((article) => article.slug);
    candidates = forced ? [forced] : [];
  } else if (forced) {
    const existing = await db.announcement.findUnique({ where: { articleSlug: forced.slug }, select: { backfilled: true } });
    if (existing && !existing.backfilled) alreadyAnnounced.push(forced.slug);
    candidates = existing && !existing.backfilled ? [] : [forced];
  } else {
    candidates = await findUnannounced({ db, articles: published });
  }
  const recipients = await countRecipients(db);
  const mode = modeFor(candidates.length);
  return {
    dryRun: true,
    firstRun,
    backfilled,
    articles: candidates.map(summary),
    mode,
    recipients,
    queued: emailCount(mode, candidates.length, recipients),
    alreadyAnnounced,
  };
}

/** Marks articles as announced without sending. Returns the slugs it marked (not those already there). */
async function backfill(tx: Tx, articles: readonly AnnounceableArticle[], now: Date): Promise<string[]> {
  if (articles.length === 0) return [];
  const slugs = articles.map((article) => article.slug);
  const titles = articles.map((article) => article.title);
  const rows = await tx.$queryRaw<{ slug: string }[]>`
    INSERT INTO announcements (id, article_slug, title, kind, status, backfilled, recipient_count, created_at, completed_at)
    SELECT gen_random_uuid(), x.slug, x.title, 'SINGLE', 'COMPLETED', true, 0, ${now}::timestamptz, ${now}::timestamptz
    FROM unnest(${slugs}::text[], ${titles}::text[]) AS x(slug, title)
    ON CONFLICT (article_slug) DO NOTHING
    RETURNING article_slug AS slug`;
  return rows.map((row) => row.slug);
}

/**
 * Takes the articles for this run: inserts their Announcement rows, or re-arms the forced one when
 * it was backfilled. A concurrent run that took an article first makes the insert return nothing
 * for it (after waiting for that run's commit). Returns slug → announcement id for what this run owns.
 */
async function takeAnnouncements(
  tx: Tx,
  articles: readonly AnnounceableArticle[],
  now: Date,
  forcedSlug: string | undefined,
): Promise<Map<string, string>> {
  const owned = new Map<string, string>();
  if (articles.length === 0) return owned;
  const slugs = articles.map((article) => article.slug);
  const titles = articles.map((article) => article.title);
  const inserted = await tx.$queryRaw<{ id: string; slug: string }[]>`
    INSERT INTO announcements (id, article_slug, title, kind, status, backfilled, created_at, enqueued_at)
    SELECT gen_random_uuid(), x.slug, x.title, 'SINGLE', 'SENDING', false, ${now}::timestamptz, ${now}::timestamptz
    FROM unnest(${slugs}::text[], ${titles}::text[]) AS x(slug, title)
    ON CONFLICT (article_slug) DO NOTHING
    RETURNING id::text AS id, article_slug AS slug`;
  for (const row of inserted) owned.set(row.slug, row.id);
  if (forcedSlug !== undefined && !owned.has(forcedSlug)) {
    // Only a backfilled row is re-armed; the row lock makes a concurrent forced run find it taken.
    const rearmed = await tx.$queryRaw<{ id: string }[]>`
      UPDATE announcements
      SET backfilled = false, status = 'SENDING', kind = 'SINGLE', digest_id = NULL, enqueued_at = ${now}::timestamptz, completed_at = NULL
      WHERE article_slug = ${forcedSlug} AND backfilled
      RETURNING id::text AS id`;
    if (rearmed[0]) owned.set(forcedSlug, rearmed[0].id);
  }
  return owned;
}

/**
 * What the enqueue statement runs with, SET LOCAL in its transaction (test/announce/enqueue-plan.test.ts
 * asserts the plan they give). Hashes and the batch numbering stay in memory (the default 4 MB spills
 * 100,000 rows to disk). The CTEs' row estimates are guesses (the preference filter makes them tiny),
 * and a nested-loop semi-join over two CTE scans is quadratic: 100,000 subscribers took 417 s instead of 1.5 s.
 * No JIT: the one nested loop left (the cross join with unnest) carries the 1e10 "disabled" cost, which
 * passes every JIT threshold, and compiling with inlining and optimisation took 0.7 s of a 100,000 run.
 */
export const ENQUEUE_SETTINGS = [`SET LOCAL work_mem = '64MB'`, `SET LOCAL enable_nestloop = off`, `SET LOCAL jit = off`] as const;

/** The enqueue statement (see queueEmails); its parameters come from enqueueParameters(). */
export const ENQUEUE_SQL = `WITH recipients AS MATERIALIZED (
       SELECT s.id, s.email, gen_random_uuid() AS outbox_id
       FROM subscribers s
       WHERE ${RECIPIENTS_WHERE}
     ), gated AS (
       INSERT INTO announcement_deliveries (announcement_id, subscriber_id, outbox_email_id, created_at)
       SELECT a.id, r.id, r.outbox_id, $1::timestamptz
       FROM recipients r CROSS JOIN unnest($2::uuid[]) AS a(id)
       ON CONFLICT (subscriber_id, announcement_id) DO NOTHING
       RETURNING subscriber_id
     ), passed AS MATERIALIZED (
       -- Numbered in id order, a hundred to a provider batch (the sender lists a batch's emails in id order too).
       SELECT r.id, r.email, r.outbox_id, (row_number() OVER (ORDER BY r.outbox_id) - 1) / $5::int AS n
       FROM recipients r
       WHERE r.id IN (SELECT subscriber_id FROM gated)
     ), batch_ids AS MATERIALIZED (
       SELECT k.n, gen_random_uuid() AS id FROM (SELECT DISTINCT n FROM passed) AS k
     ), batches AS (
       ${insertQueuedBatchesSql({ id: 'b.id', kind: '$3::outbox_kind', now: '$1::timestamptz' })}
       FROM batch_ids b
       RETURNING 1
     ), queued AS (
       INSERT INTO outbox_emails (id, kind, subscriber_id, to_address, payload, status, attempts, next_attempt_at, created_at, batch_id)
       SELECT p.outbox_id, $3::outbox_kind, p.id, p.email, $4::jsonb, 'QUEUED', 0, $1::timestamptz, $1::timestamptz, b.id
       FROM passed p JOIN batch_ids b ON b.n = p.n
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM queued)::int AS queued, (SELECT count(*) FROM passed)::int AS recipients,
            (SELECT count(*) FROM batches)::int AS batches`;

export type EnqueueInput = {
  announcementIds: string[];
  kind: 'ANNOUNCEMENT' | 'DIGEST';
  payload: AnnouncementPayload | DigestPayload;
  now: Date;
};

export function enqueueParameters(input: EnqueueInput): unknown[] {
  return [input.now, input.announcementIds, input.kind, JSON.stringify(input.payload), PROVIDER_BATCH_SIZE];
}

/**
 * ONE statement: the recipients (confirmed, not suppressed), the exactly-once gate (a delivery row
 * per announcement and subscriber, ON CONFLICT DO NOTHING) and an outbox row for every subscriber
 * who passed it. A digest passes several announcements at once and shares one outbox row per
 * subscriber. The outbox id is drawn per recipient in a MATERIALIZED CTE, so every delivery row of
 * a subscriber names the same email. Returns the rows queued and the subscribers who passed the gate.
 *
 * Cost is per email, so it is kept to what a query needs (measured with EXPLAIN ANALYZE at 100,000
 * subscribers): no dedupe key (the delivery row is the gate, and a key cost a unique-index
 * probe and insert per email), the delivery row is its primary key only, the outbox row skips the per-row claim
 * index (batched rows are claimed through their batch), neither checks a foreign key per row (the
 * outbox's subscriber is checked once per statement by a trigger), and who passed is a hash semi-join (with the work_mem to stay in
 * memory) instead of a sort. Who is a recipient is RECIPIENTS_WHERE, one subscriber filter.
 */
async function queueEmails(
  tx: Tx,
  input: EnqueueInput,
): Promise<{ queued: number; recipients: number }> {
  for (const setting of ENQUEUE_SETTINGS) await tx.$executeRawUnsafe(setting);
  const rows = await tx.$queryRawUnsafe<{ queued: number; recipients: number }[]>(ENQUEUE_SQL, ...enqueueParameters(input));
  return { queued: Number(rows[0]?.queued ?? 0), recipients: Number(rows[0]?.recipients ?? 0) };
}

async function setRecipientCount(tx: Tx, ids: string[], recipients: number): Promise<void> {
  await tx.$executeRaw`UPDATE announcements SET recipient_count = ${recipients} WHERE id = ANY(${ids}::uuid[])`;
}
