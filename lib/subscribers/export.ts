import { stringify } from 'csv-stringify';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { PrismaClient, SubscriberStatus, SuppressionReason } from '../generated/prisma/client';
import { SUBSCRIBER_COLUMN_NAMES, SUBSCRIBER_COLUMNS, type SubscriberRecord } from '../newsletter/subscriber-columns';
import { preferenceCell } from '../reader-preference';

/**
 * `npm run subscribers -- export`: every subscriber (or those of one status) as CSV, in the
 * columns of subscriber-columns.ts (the reader's own data export uses the same ones). Read in
 * pages by email, so memory stays flat for any list; `all` also lists the addresses that are only
 * suppressed (an import's unsubscribed rows), with status "suppressed".
 */

export const EXPORT_STATUSES = ['confirmed', 'pending', 'unsubscribed', 'all'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

const PAGE = 5_000;

/** A record with its suppression as two columns, as the query answers. */
type Row = Omit<SubscriberRecord, 'suppression' | 'preferences'> & {
  delivery: 'EVERY' | 'WEEKLY' | null;
  pausedUntil: Date | null;
  reason: SuppressionReason | null;
  since: Date | null;
};

export async function exportSubscribers(options: { db: PrismaClient; status: ExportStatus; output: Writable; now?: Date }): Promise<{ rows: number }> {
  const { db, status, output } = options;
  const now = options.now ?? new Date();
  const csv = stringify({ header: true, columns: SUBSCRIBER_COLUMN_NAMES });
  csv.pipe(output, { end: false });
  const only = status === 'all' ? null : (status.toUpperCase() as SubscriberStatus);
  let after = '';
  let rows = 0;
  for (;;) {
    // Subscribers, then (for "all") suppressed addresses with no subscriber row, ordered by email.
    const page = await db.$queryRaw<Row[]>`
      SELECT * FROM (
        SELECT s.email, s.status, s.source, s.created_at AS "createdAt", s.confirmed_at AS "confirmedAt",
               s.unsubscribed_at AS "unsubscribedAt", s.delivery::text AS delivery, s.paused_until AS "pausedUntil",
               x.reason, x.created_at AS since
        FROM subscribers s LEFT JOIN suppressions x ON x.email = s.email
        WHERE (${only}::text IS NULL OR s.status::text = ${only}::text)
        UNION ALL
        SELECT x.email, NULL, x.source_event_id, x.created_at, NULL, NULL, NULL, NULL, x.reason, x.created_at
        FROM suppressions x
        WHERE ${only}::text IS NULL AND NOT EXISTS (SELECT 1 FROM subscribers s WHERE s.email = x.email)
      ) r
      WHERE r.email > ${after}
      ORDER BY r.email
      LIMIT ${PAGE}`;
    for (const row of page) {
      const { delivery, pausedUntil, reason, since, ...rest } = row;
      const record: SubscriberRecord = {
        ...rest,
        preferences: delivery ? preferenceCell({ delivery, pausedUntil }, now) : null,
        suppression: reason ? { reason, since: since ?? row.createdAt } : null,
      };
      if (!csv.write(SUBSCRIBER_COLUMNS.map((column) => column.value(record)))) await new Promise((resolve) => csv.once('drain', resolve));
    }
    rows += page.length;
    if (page.length < PAGE) break;
    after = page.at(-1)!.email;
  }
  csv.end();
  await finished(csv);
  return { rows };
}
