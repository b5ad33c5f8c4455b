import type { SubscriberStatus, SuppressionReason } from '../generated/prisma/client';

/**
 * The one list of columns that describes a subscriber to a person: the operator's CSV export
 * (`npm run subscribers -- export`) and the reader's own data export (subscriber-data.ts) both
 * use it, so they can never disagree. A new column is one entry here.
 */

/** What the columns are read from: a subscriber row, or an address that is only suppressed. */
export type SubscriberRecord = {
  email: string;
  /** Null for an address that is only on the suppression list (e.g. imported as unsubscribed). */
  status: SubscriberStatus | null;
  source: string | null;
  createdAt: Date;
  confirmedAt: Date | null;
  unsubscribedAt: Date | null;
  /** The reader's delivery preference as preferenceCell words; null for an address that is only suppressed. */
  preferences: string | null;
  suppression: { reason: SuppressionReason; since: Date } | null;
};

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : '');

export const SUBSCRIBER_COLUMNS = [
  { name: 'email', value: (r: SubscriberRecord) => r.email },
  { name: 'status', value: (r: SubscriberRecord) => (r.status ? r.status.toLowerCase() : 'suppressed') },
  { name: 'source', value: (r: SubscriberRecord) => r.source ?? '' },
  { name: 'created', value: (r: SubscriberRecord) => iso(r.createdAt) },
  { name: 'confirmed', value: (r: SubscriberRecord) => iso(r.confirmedAt) },
  { name: 'unsubscribed', value: (r: SubscriberRecord) => iso(r.unsubscribedAt) },
  { name: 'preferences', value: (r: SubscriberRecord) => r.preferences ?? '' },
  { name: 'suppression', value: (r: SubscriberRecord) => (r.suppression ? r.suppression.reason.toLowerCase() : '') },
] as const;

export type SubscriberColumn = (typeof SUBSCRIBER_COLUMNS)[number]['name'];
export const SUBSCRIBER_COLUMN_NAMES: SubscriberColumn[] = SUBSCRIBER_COLUMNS.map((column) => column.name);

/** The record as { column: text }, in column order. */
export function subscriberColumnValues(record: SubscriberRecord): Record<SubscriberColumn, string> {
  return Object.fromEntries(SUBSCRIBER_COLUMNS.map((column) => [column.name, column.value(record)])) as Record<SubscriberColumn, string>;
}
