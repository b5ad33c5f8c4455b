import { getDb } from '../db';
import type { PrismaClient } from '../generated/prisma/client';
import { isoDay } from '../reader-preference';
import { insertQueuedBatchesSql, PROVIDER_BATCH_SIZE } from '../outbox/write';
import { articleUrl, publishedArticles, type ContentOptions } from './articles';
import { log } from './log';

/**
 * The weekly digest: one email a week to each subscriber who chose it on the manage page, listing
 * what was published since their last digest; nothing when nothing was.
 *
 * - The week is the ISO week of the run (it starts on Monday, UTC). A weekly_digests row per
 *   (subscriber, week) is the exactly-once gate: it is written by the same statement as the outbox
 *   row (INSERT … SELECT … ON CONFLICT DO NOTHING), so a repeated run, a second instance or the rerun
 *   of a killed one queues nothing for a subscriber who already has this week's.
 * - Subscribers are taken a chunk at a time, each chunk one transaction: a run killed half-way keeps
 *   the chunks it committed, and the next run does the rest.
 * - Which articles: dated from the day of their last digest (or the last 7 days for a first one)
 *   to today, minus any already in one of their digests (a later article of the same day still
 *   comes next week), minus any announced to them one by one (they switched from every article),
 *   minus any dated before the end of a pause (paused readers get nothing of the pause afterwards).
 * - Paused subscribers (paused_until after the run's clock) are skipped: no row, so once the date
 *   has passed the next run sends them the week's digest.
 */

/** The template's limit; more than this in a week lists the newest. */
export const WEEKLY_DIGEST_MAX_ARTICLES = 50;
/** Subscribers per transaction: small enough to commit often, large enough to be set-based. */
export const WEEKLY_DIGEST_CHUNK = 2_000;
const FIRST_DIGEST_LOOKBACK_DAYS = 6;
const DAY_MS = 86_400_000;

export type WeeklyDigestOptions = ContentOptions & {
  db?: PrismaClient;
  /** Report what would happen; write nothing. */
  dryRun?: boolean;
  chunkSize?: number;
  /** Called after each committed chunk (the command's progress line; tests stop a run here). */
  onChunk?: (progress: { scanned: number; queued: number }) => void | Promise<void>;
};

export type WeeklyDigestResult = {
  dryRun: boolean;
  /** The Monday (UTC) of the run's week, YYYY-MM-DD. */
  weekOf: string;
  /** Published articles dated within the last week (what a first digest could list). */
  recentArticles: number;
  /** Confirmed, not suppressed, weekly and not paused subscribers. */
  weeklySubscribers: number;
  /** Digests queued by this run (a dry run: would queue). */
  queued: number;
};

/** The Monday (UTC) that starts the ISO week of `now`. */
export function weekOf(now: Date): string {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  return isoDay(new Date(day - sinceMonday * DAY_MS));
}

const WEEKLY_WHERE = `s.status = 'CONFIRMED' AND s.delivery = 'WEEKLY'
  AND (s.paused_until IS NULL OR s.paused_until <= $1::timestamptz)
  AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.email = s.email)`;

/**
 * ONE statement per chunk ($1 now, $2 week, $3–$7 the articles, $8 after this subscriber id, $9 chunk,
 * $10 batch size, $11 max articles, $12 first-digest lookback): pick the chunk's subscribers, their
 * articles, the gate row and the outbox rows with their provider batches, as the announcement does.
 */
const QUEUE_CHUNK_SQL = `
WITH chunk AS MATERIALIZED (
  SELECT s.id, s.email, s.paused_until FROM subscribers s
  WHERE ${WEEKLY_WHERE} AND s.id > $8::uuid
  ORDER BY s.id LIMIT $9::int
), fresh AS MATERIALIZED (
  SELECT c.id, c.email, c.paused_until, gen_random_uuid() AS outbox_id,
         COALESCE((SELECT (max(d.covered_until) AT TIME ZONE 'UTC')::date FROM weekly_digests d WHERE d.subscriber_id = c.id),
                  ($1::timestamptz AT TIME ZONE 'UTC')::date - $12::int) AS since_day
  FROM chunk c
  WHERE NOT EXISTS (SELECT 1 FROM weekly_digests d WHERE d.subscriber_id = c.id AND d.period = $2::date)
), arts AS (
  SELECT * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::date[]) AS a(slug, title, description, url, day)
), picked AS (
  SELECT f.id, a.slug, a.title, a.description, a.url, a.day,
         row_number() OVER (PARTITION BY f.id ORDER BY a.day DESC, a.slug) AS k
  FROM fresh f JOIN arts a ON a.day >= f.since_day AND a.day <= ($1::timestamptz AT TIME ZONE 'UTC')::date
  WHERE (f.paused_until IS NULL OR a.day >= (f.paused_until AT TIME ZONE 'UTC')::date)
    AND NOT EXISTS (SELECT 1 FROM weekly_digests d WHERE d.subscriber_id = f.id AND a.slug = ANY(d.article_slugs))
    AND NOT EXISTS (SELECT 1 FROM announcement_deliveries ad JOIN announcements an ON an.id = ad.announcement_id
                    WHERE ad.subscriber_id = f.id AND an.article_slug = a.slug)
), payloads AS MATERIALIZED (
  SELECT p.id, count(*)::int AS n, array_agg(p.slug ORDER BY p.day DESC, p.slug) AS slugs,
         jsonb_build_object('weekOf', $2::text, 'articles',
           jsonb_agg(jsonb_build_object('title', p.title, 'description', p.description, 'articleUrl', p.url) ORDER BY p.day DESC, p.slug)) AS payload
  FROM picked p WHERE p.k <= $11::int GROUP BY p.id
), gated AS (
  INSERT INTO weekly_digests (id, subscriber_id, period, covered_until, article_count, article_slugs, outbox_email_id, created_at)
  SELECT gen_random_uuid(), f.id, $2::date, $1::timestamptz, p.n, p.slugs, f.outbox_id, $1::timestamptz
  FROM fresh f JOIN payloads p ON p.id = f.id
  ON CONFLICT (subscriber_id, period) DO NOTHING
  RETURNING subscriber_id, outbox_email_id
), passed AS MATERIALIZED (
  SELECT g.subscriber_id, g.outbox_email_id, (row_number() OVER (ORDER BY g.outbox_email_id) - 1) / $10::int AS n FROM gated g
), batch_ids AS MATERIALIZED (
  SELECT k.n, gen_random_uuid() AS id FROM (SELECT DISTINCT n FROM passed) AS k
), batches AS (
  ${insertQueuedBatchesSql({ id: 'b.id', kind: `'WEEKLY_DIGEST'`, now: '$1::timestamptz' })} FROM batch_ids b
  RETURNING 1
), queued AS (
  INSERT INTO outbox_emails (id, kind, subscriber_id, to_address, payload, dedupe_key, status, attempts, next_attempt_at, created_at, batch_id)
  SELECT p.outbox_email_id, 'WEEKLY_DIGEST', p.subscriber_id, f.email, pl.payload, 'weekly-digest:' || $2::text || ':' || p.subscriber_id::text,
         'QUEUED', 0, $1::timestamptz, $1::timestamptz, b.id
  FROM passed p JOIN fresh f ON f.id = p.subscriber_id JOIN payloads pl ON pl.id = p.subscriber_id JOIN batch_ids b ON b.n = p.n
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING 1
)
SELECT (SELECT count(*) FROM queued)::int AS queued, (SELECT count(*) FROM chunk)::int AS scanned,
       (SELECT id::text FROM chunk ORDER BY id DESC LIMIT 1) AS last_id, (SELECT count(*) FROM batches)::int AS batches`;

const NO_ID = '00000000-0000-0000-0000-000000000000';

/** Queues this week's digests (see the module comment). Throws ContentError when the content does not validate. */
export async function queueWeeklyDigests(options: WeeklyDigestOptions = {}): Promise<WeeklyDigestResult> {
  const db = options.db ?? getDb();
  const now = options.now ?? new Date();
  const week = weekOf(now);
  const published = publishedArticles({ contentDir: options.contentDir, now });
  const recentFrom = isoDay(new Date(now.getTime() - FIRST_DIGEST_LOOKBACK_DAYS * DAY_MS));
  const recentArticles = published.filter((article) => article.date >= recentFrom).length;
  const [{ n: weeklySubscribers } = { n: 0 }] = await db.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM subscribers s WHERE ${WEEKLY_WHERE}`,
    now,
  );

  if (options.dryRun) {
    const [{ n } = { n: 0 }] = await db.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM subscribers s WHERE ${WEEKLY_WHERE}
         AND NOT EXISTS (SELECT 1 FROM weekly_digests d WHERE d.subscriber_id = s.id AND d.period = $2::date)`,
      now,
      week,
    );
    // An estimate: every weekly subscriber without this week's digest, when anything recent was published.
    return { dryRun: true, weekOf: week, recentArticles, weeklySubscribers: Number(weeklySubscribers), queued: published.length > 0 ? Number(n) : 0 };
  }

  let queued = 0;
  let scanned = 0;
  if (published.length > 0) {
    const articleArgs = [
      published.map((article) => article.slug),
      published.map((article) => article.title),
      published.map((article) => article.description),
      published.map((article) => articleUrl(article.slug)),
      published.map((article) => article.date),
    ];
    let after = NO_ID;
    for (;;) {
      const [row] = await db.$transaction((tx) =>
        tx.$queryRawUnsafe<{ queued: number; scanned: number; last_id: string | null }[]>(
          QUEUE_CHUNK_SQL,
          now,
          week,
          ...articleArgs,
          after,
          options.chunkSize ?? WEEKLY_DIGEST_CHUNK,
          PROVIDER_BATCH_SIZE,
          WEEKLY_DIGEST_MAX_ARTICLES,
          FIRST_DIGEST_LOOKBACK_DAYS,
        ),
      );
      if (!row || Number(row.scanned) === 0 || !row.last_id) break;
      queued += Number(row.queued);
      scanned += Number(row.scanned);
      after = row.last_id;
      await options.onChunk?.({ scanned, queued });
    }
  }
  log.info('weekly-digest-enqueued', { weekOf: week, weeklySubscribers: Number(weeklySubscribers), recentArticles, queued });
  return { dryRun: false, weekOf: week, recentArticles, weeklySubscribers: Number(weeklySubscribers), queued };
}
