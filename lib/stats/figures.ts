import type pg from 'pg';
import { redactString } from '../log';

/**
 * The figures `npm run newsletter:stats` prints, read from Postgres in plain SQL (a handful of
 * aggregate statements; nothing is written). Days are UTC calendar days; the window is the last
 * `days` of them, today included. Addresses are read only when `showAddresses` is set: without
 * it no statement even selects one, so no output can leak one.
 */

/** The subscriber's reading preference (lib/reader-preference.ts), as SQL: a pause that has not ended wins. */
const PREFERENCE_SQL = `CASE WHEN s.paused_until > $1 THEN 'PAUSED' WHEN s.delivery = 'WEEKLY' THEN 'WEEKLY' ELSE 'EVERY_ARTICLE' END`;

/** Gmail's and Yahoo's bulk-sender ceiling for spam complaints: at 0.3% mail gets filtered or refused. */
export const COMPLAINT_CEILING = 0.003;
/** Google asks bulk senders to stay under 0.1%; from there the rate counts as close to the ceiling. */
export const COMPLAINT_CLOSE_AT = 0.001;

export type ComplaintLevel = 'ok' | 'close' | 'over' | 'no-sends';

export type StatsOptions = { now?: Date; days?: number; showAddresses?: boolean; announcements?: number; failures?: number };

export type DayFigures = { day: string; signups: number; confirmations: number; unsubscribes: number; confirmedOfSignups: number; confirmationRate: number | null };

export type AnnouncementFigures = {
  slug: string;
  title: string;
  kind: string;
  status: string;
  backfilled: boolean;
  recipients: number;
  enqueuedAt: string | null;
  /** Emails queued for it (one per subscriber); the four below add up to it, less rows since cleaned up. */
  queued: number;
  /** Still in the outbox (QUEUED or SENDING). */
  waiting: number;
  sent: number;
  failed: number;
  /** Cancelled before sending: unsubscribed, suppressed or deleted since. */
  skipped: number;
};

export type OutboxEmailFigure = {
  id: string;
  kind: string;
  createdAt: string;
  attempts: number;
  lastError: string | null;
  /** Only with showAddresses. */
  to?: string;
};

export type NewsletterStats = {
  generatedAt: string;
  window: { days: number; from: string; to: string };
  subscribers: {
    total: number;
    byStatus: Record<'PENDING' | 'CONFIRMED' | 'UNSUBSCRIBED', number>;
    byStatusAndPreference: { status: string; preference: string; count: number }[];
  };
  daily: DayFigures[];
  totals: { signups: number; confirmations: number; unsubscribes: number; confirmedOfSignups: number; confirmationRate: number | null };
  deliverability: {
    sent: number;
    bounces: number;
    hardBounces: number;
    complaints: number;
    bounceRate: number | null;
    complaintRate: number | null;
    complaintCeiling: number;
    complaintCloseAt: number;
    complaintLevel: ComplaintLevel;
    suppressions: Record<'BOUNCE' | 'COMPLAINT' | 'MANUAL', number>;
  };
  announcements: { total: number; shown: AnnouncementFigures[] };
  outbox: {
    waiting: number;
    dueNow: number;
    sending: number;
    byKind: { kind: string; waiting: number }[];
    oldest: (OutboxEmailFigure & { ageSeconds: number; nextAttemptAt: string }) | null;
    failedInWindow: number;
    recentFailures: OutboxEmailFigure[];
  };
};

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());
const rate = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

export function complaintLevel(complaints: number, sent: number): ComplaintLevel {
  const value = rate(complaints, sent);
  if (value === null) return complaints > 0 ? 'over' : 'no-sends';
  if (value >= COMPLAINT_CEILING) return 'over';
  return value >= COMPLAINT_CLOSE_AT ? 'close' : 'ok';
}

/** The first day of the window (UTC midnight) and the days in it, oldest first. */
export function windowDays(now: Date, days: number): { start: Date; list: string[] } {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const list = Array.from({ length: days }, (_, i) => new Date(today - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10));
  return { start: new Date(today - (days - 1) * 86_400_000), list };
}

async function subscriberFigures(pool: pg.Pool, now: Date): Promise<NewsletterStats['subscribers']> {
  const { rows } = await pool.query<{ status: string; preference: string; n: number }>(
    `SELECT s.status::text AS status, ${PREFERENCE_SQL} AS preference, count(*)::int AS n
     FROM subscribers s GROUP BY 1, 2 ORDER BY 1, 2`,
    [now],
  );
  const byStatus = { PENDING: 0, CONFIRMED: 0, UNSUBSCRIBED: 0 };
  for (const row of rows) byStatus[row.status as keyof typeof byStatus] += row.n;
  return {
    total: rows.reduce((sum, row) => sum + row.n, 0),
    byStatus,
    byStatusAndPreference: rows.map((row) => ({ status: row.status, preference: row.preference, count: row.n })),
  };
}

async function dailyFigures(pool: pg.Pool, start: Date, list: string[]): Promise<DayFigures[]> {
  // One pass per event column; days with nothing are filled in below.
  const { rows } = await pool.query<{ what: string; day: string; n: number; confirmed: number }>(
    `SELECT 'signup' AS what, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS n, count(confirmed_at)::int AS confirmed
       FROM subscribers WHERE created_at >= $1 GROUP BY 2
     UNION ALL
     SELECT 'confirmation', to_char(confirmed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), count(*)::int, 0
       FROM subscribers WHERE confirmed_at >= $1 GROUP BY 2
     UNION ALL
     SELECT 'unsubscribe', to_char(unsubscribed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), count(*)::int, 0
       FROM subscribers WHERE unsubscribed_at >= $1 AND status = 'UNSUBSCRIBED' GROUP BY 2`,
    [start],
  );
  const byDay = new Map(list.map((day) => [day, { day, signups: 0, confirmations: 0, unsubscribes: 0, confirmedOfSignups: 0, confirmationRate: null as number | null }]));
  for (const row of rows) {
    const entry = byDay.get(row.day);
    if (!entry) continue; // a clock ahead of ours: after today
    if (row.what === 'signup') {
      entry.signups = row.n;
      entry.confirmedOfSignups = row.confirmed;
    } else if (row.what === 'confirmation') entry.confirmations = row.n;
    else entry.unsubscribes = row.n;
  }
  return [...byDay.values()].map((entry) => ({ ...entry, confirmationRate: rate(entry.confirmedOfSignups, entry.signups) }));
}

async function deliverabilityFigures(pool: pg.Pool, start: Date): Promise<NewsletterStats['deliverability']> {
  const { rows } = await pool.query<{ sent: number; bounces: number; complaints: number; hard: number; s_bounce: number; s_complaint: number; s_manual: number }>(
    `SELECT
       (SELECT count(*) FROM outbox_emails WHERE status = 'SENT' AND sent_at >= $1)::int AS sent,
       (SELECT count(*) FROM webhook_events WHERE type = 'email.bounced' AND received_at >= $1)::int AS bounces,
       (SELECT count(*) FROM webhook_events WHERE type = 'email.complained' AND received_at >= $1)::int AS complaints,
       (SELECT count(*) FROM suppressions WHERE reason = 'BOUNCE' AND created_at >= $1)::int AS hard,
       (SELECT count(*) FROM suppressions WHERE reason = 'BOUNCE')::int AS s_bounce,
       (SELECT count(*) FROM suppressions WHERE reason = 'COMPLAINT')::int AS s_complaint,
       (SELECT count(*) FROM suppressions WHERE reason = 'MANUAL')::int AS s_manual`,
    [start],
  );
  const row = rows[0]!;
  return {
    sent: row.sent,
    bounces: row.bounces,
    hardBounces: row.hard,
    complaints: row.complaints,
    bounceRate: rate(row.bounces, row.sent),
    complaintRate: rate(row.complaints, row.sent),
    complaintCeiling: COMPLAINT_CEILING,
    complaintCloseAt: COMPLAINT_CLOSE_AT,
    complaintLevel: complaintLevel(row.complaints, row.sent),
    suppressions: { BOUNCE: row.s_bounce, COMPLAINT: row.s_complaint, MANUAL: row.s_manual },
  };
}

async function announcementFigures(pool: pg.Pool, limit: number): Promise<NewsletterStats['announcements']> {
  const [list, total] = await Promise.all([
    pool.query<{
      slug: string; title: string; kind: string; status: string; backfilled: boolean; recipients: number; enqueued_at: Date | null;
      queued: number; waiting: number; sent: number; failed: number; skipped: number;
    }>(
      `SELECT a.article_slug AS slug, a.title, a.kind::text AS kind, a.status::text AS status, a.backfilled,
              a.recipient_count AS recipients, a.enqueued_at,
              count(d.subscriber_id)::int AS queued,
              count(*) FILTER (WHERE o.status IN ('QUEUED', 'SENDING'))::int AS waiting,
              count(*) FILTER (WHERE o.status = 'SENT')::int AS sent,
              count(*) FILTER (WHERE o.status = 'FAILED')::int AS failed,
              count(*) FILTER (WHERE o.status = 'CANCELLED')::int AS skipped
       FROM (SELECT * FROM announcements ORDER BY created_at DESC, article_slug LIMIT $1) a
       LEFT JOIN announcement_deliveries d ON d.announcement_id = a.id
       LEFT JOIN outbox_emails o ON o.id = d.outbox_email_id
       GROUP BY a.id, a.article_slug, a.title, a.kind, a.status, a.backfilled, a.recipient_count, a.enqueued_at, a.created_at
       ORDER BY a.created_at DESC, a.article_slug`,
      [limit],
    ),
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM announcements`),
  ]);
  return {
    total: total.rows[0]!.n,
    shown: list.rows.map((row) => ({
      slug: row.slug,
      title: row.title,
      kind: row.kind,
      status: row.status,
      backfilled: row.backfilled,
      recipients: row.recipients,
      enqueuedAt: iso(row.enqueued_at),
      queued: row.queued,
      waiting: row.waiting,
      sent: row.sent,
      failed: row.failed,
      skipped: row.skipped,
    })),
  };
}

type EmailRow = { id: string; kind: string; created_at: Date; attempts: number; last_error: string | null; to_address?: string };

function emailFigure(row: EmailRow, showAddresses: boolean): OutboxEmailFigure {
  // A provider's error may quote the recipient: masked unless addresses were asked for.
  const lastError = row.last_error === null || showAddresses ? row.last_error : redactString(row.last_error);
  const figure: OutboxEmailFigure = { id: row.id, kind: row.kind, createdAt: iso(row.created_at)!, attempts: row.attempts, lastError };
  if (showAddresses && row.to_address !== undefined) figure.to = row.to_address;
  return figure;
}

async function outboxFigures(pool: pg.Pool, now: Date, start: Date, showAddresses: boolean, failures: number): Promise<NewsletterStats['outbox']> {
  const address = showAddresses ? ', to_address' : '';
  const [byKind, oldest, failed, recent] = await Promise.all([
    pool.query<{ kind: string; waiting: number; due: number; sending: number }>(
      `SELECT kind::text AS kind, count(*)::int AS waiting,
              count(*) FILTER (WHERE status = 'QUEUED' AND next_attempt_at <= $1)::int AS due,
              count(*) FILTER (WHERE status = 'SENDING')::int AS sending
       FROM outbox_emails WHERE status IN ('QUEUED', 'SENDING') GROUP BY kind ORDER BY kind`,
      [now],
    ),
    pool.query<EmailRow & { next_attempt_at: Date }>(
      `SELECT id::text AS id, kind::text AS kind, created_at, attempts, last_error, next_attempt_at${address}
       FROM outbox_emails WHERE status IN ('QUEUED', 'SENDING') ORDER BY created_at, id LIMIT 1`,
    ),
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_emails WHERE status = 'FAILED' AND created_at >= $1`, [start]),
    pool.query<EmailRow>(
      `SELECT id::text AS id, kind::text AS kind, created_at, attempts, last_error${address}
       FROM outbox_emails WHERE status = 'FAILED' AND created_at >= $1 ORDER BY created_at DESC, id LIMIT $2`,
      [start, failures],
    ),
  ]);
  const first = oldest.rows[0];
  return {
    waiting: byKind.rows.reduce((sum, row) => sum + row.waiting, 0),
    dueNow: byKind.rows.reduce((sum, row) => sum + row.due, 0),
    sending: byKind.rows.reduce((sum, row) => sum + row.sending, 0),
    byKind: byKind.rows.map((row) => ({ kind: row.kind, waiting: row.waiting })),
    oldest: first
      ? {
          ...emailFigure(first, showAddresses),
          ageSeconds: Math.max(0, Math.round((now.getTime() - new Date(first.created_at).getTime()) / 1000)),
          nextAttemptAt: iso(first.next_attempt_at)!,
        }
      : null,
    failedInWindow: failed.rows[0]!.n,
    recentFailures: recent.rows.map((row) => emailFigure(row, showAddresses)),
  };
}

/** Every figure, read from `pool` (the app's database). */
export async function readNewsletterStats(pool: pg.Pool, options: StatsOptions = {}): Promise<NewsletterStats> {
  const now = options.now ?? new Date();
  const days = options.days ?? 30;
  const showAddresses = options.showAddresses ?? false;
  const { start, list } = windowDays(now, days);
  const [subscribers, daily, deliverability, announcements, outbox] = await Promise.all([
    subscriberFigures(pool, now),
    dailyFigures(pool, start, list),
    deliverabilityFigures(pool, start),
    announcementFigures(pool, options.announcements ?? 20),
    outboxFigures(pool, now, start, showAddresses, options.failures ?? 10),
  ]);
  const sum = (key: 'signups' | 'confirmations' | 'unsubscribes' | 'confirmedOfSignups') => daily.reduce((total, day) => total + day[key], 0);
  const totals = { signups: sum('signups'), confirmations: sum('confirmations'), unsubscribes: sum('unsubscribes'), confirmedOfSignups: sum('confirmedOfSignups') };
  return {
    generatedAt: now.toISOString(),
    window: { days, from: list[0]!, to: list[list.length - 1]! },
    subscribers,
    daily,
    totals: { ...totals, confirmationRate: rate(totals.confirmedOfSignups, totals.signups) },
    deliverability,
    announcements,
    outbox,
  };
}
