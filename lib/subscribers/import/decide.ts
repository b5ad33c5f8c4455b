import { canonicalInbox } from '../../newsletter/inbox';
import { emailSchema } from '../../validations/newsletter';
import type { SourceFormat, SourceRow, SourceStatus } from './formats';

/**
 * What one data row of an import becomes, before the database is asked: a subscriber to add, an
 * address to suppress, or a bad row with its reason. Pure, so each rule has a unit test; the
 * database's part (is the address already here?) is the importer's.
 */

export type RowDecision =
  | { kind: 'subscribe'; line: number; email: string; inbox: string; subscribedAt: Date | null }
  | { kind: 'suppress'; line: number; email: string; inbox: string; status: Exclude<SourceStatus, 'subscribed'> }
  | { kind: 'invalid'; line: number; email?: string; reason: string };

/** "2023-04-05 12:34:56" (Mailchimp, GMT) has no zone: read as UTC rather than the machine's zone. */
const ZONELESS = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/** A source's date, or undefined when it cannot be read (a bad row: consent evidence must be exact). */
export function parseSourceDate(value: string): Date | undefined {
  const text = ZONELESS.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function decideRow(format: SourceFormat, row: SourceRow, line: number, now: Date): RowDecision {
  const raw = row.get(format.emailColumn) ?? '';
  const parsed = emailSchema.safeParse(raw);
  if (!parsed.success) {
    return { kind: 'invalid', line, ...(raw.trim() ? { email: raw.trim() } : {}), reason: raw.trim() ? 'invalid address' : 'no address' };
  }
  const email = parsed.data;
  const reading = format.read(row);
  if ('unknownStatus' in reading) return { kind: 'invalid', line, email, reason: `unknown status: ${reading.unknownStatus}` };
  let subscribedAt: Date | null = null;
  if (reading.subscribedAt !== undefined) {
    const date = parseSourceDate(reading.subscribedAt);
    if (!date) return { kind: 'invalid', line, email, reason: `unreadable date "${reading.subscribedAt}"` };
    // A day of slack for time zones; later than that is a broken export, not consent.
    if (date.getTime() > now.getTime() + 86_400_000) return { kind: 'invalid', line, email, reason: `date in the future "${reading.subscribedAt}"` };
    subscribedAt = date;
  }
  const inbox = canonicalInbox(email);
  if (reading.status === 'subscribed') return { kind: 'subscribe', line, email, inbox, subscribedAt };
  return { kind: 'suppress', line, email, inbox, status: reading.status };
}
