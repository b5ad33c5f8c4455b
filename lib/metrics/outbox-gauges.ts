import type pg from 'pg';
import { OutboxKind } from '../generated/prisma/enums';
import { metrics } from './registry';

/**
 * The outbox's queue depth and the age of its oldest waiting email, read at scrape time in ONE
 * statement over the (status, next_attempt_at) index: waiting rows are the few that are not
 * finished, so a scrape costs a short read however long the history grows. Bounded by a timer (the
 * query may finish later and return its connection), so a slow database makes the scrape report
 * `quorum_metrics_database_up 0` in time instead of running past Prometheus's scrape timeout.
 */

export const OUTBOX_GAUGE_QUERY_TIMEOUT_MS = 2_000;

const WAITING_SQL = `
SELECT kind::text AS kind, count(*)::int AS depth,
       COALESCE(EXTRACT(EPOCH FROM ($1::timestamptz - min(created_at))), 0)::float8 AS oldest_seconds
FROM outbox_emails
WHERE status IN ('QUEUED', 'SENDING')
GROUP BY kind`;

/** Sets the outbox gauges from `pool`; on a database error clears them and reports the database down. */
export async function refreshOutboxGauges(pool: pg.Pool, now: Date = new Date()): Promise<void> {
  const m = metrics();
  try {
    const { rows } = await withTimeout(pool.query<{ kind: string; depth: number; oldest_seconds: number }>(WAITING_SQL, [now]), OUTBOX_GAUGE_QUERY_TIMEOUT_MS);
    // Every kind, 0 included: an alert on a series that vanished when the queue emptied never resolves.
    for (const kind of Object.values(OutboxKind)) m.outboxDepth.set({ kind }, 0);
    for (const row of rows) m.outboxDepth.set({ kind: row.kind }, row.depth);
    m.outboxOldestAge.set(Math.max(0, ...rows.map((row) => Math.max(0, row.oldest_seconds))));
    m.databaseUp.set(1);
  } catch {
    m.outboxDepth.reset();
    m.outboxOldestAge.reset();
    m.databaseUp.set(0);
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  // A late rejection must not go unhandled once the timer has won.
  promise.catch(() => {});
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
