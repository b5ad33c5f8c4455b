import type { DataAccessPurpose, SubscriberStatus } from '../generated/prisma/client';
import { maskEmail } from '../format';
import { requireNewsletterSecret } from './config';
import { subscriberColumnValues, type SubscriberColumn } from './subscriber-columns';
import { log } from './log';
import type { DataPurpose } from './manage';
import { enforceTokenRouteLimit, nowOf, TRANSACTION_OPTIONS, withDatabase, type ServiceOptions, type Tx } from './service-context';
import { hashesEqual, hashToken, isWellFormedToken } from './tokens';
import { describePreference, preferenceCell } from '../reader-preference';

/**
 * Export and deletion of a subscriber's data, by a single-use data link (manage.ts emails it on
 * request). The page's GET only reads the link; its button's POST consumes it, so a mail scanner
 * opening the link spends nothing.
 */

export type DataLinkState =
  | { status: 'valid'; purpose: DataPurpose; email: string }
  | { status: 'used' | 'expired' | 'unknown' };

const PURPOSE: Record<DataAccessPurpose, DataPurpose> = { EXPORT: 'export', DELETE: 'delete' };

/** For the data page's GET: what the link would do, or why it no longer can. Read-only. */
export async function inspectDataLink(token: string, options: ServiceOptions = {}): Promise<DataLinkState> {
  if (!isWellFormedToken(token)) return { status: 'unknown' };
  const hash = hashToken(token);
  const now = nowOf(options);
  return withDatabase('inspect-data-link', options, async (db) => {
    const row = await db.dataAccessToken.findUnique({
      where: { tokenHash: hash },
      select: { tokenHash: true, purpose: true, expiresAt: true, usedAt: true, subscriber: { select: { email: true } } },
    });
    if (!row || !hashesEqual(row.tokenHash, hash)) return { status: 'unknown' };
    if (row.usedAt) return { status: 'used' };
    if (row.expiresAt.getTime() <= now.getTime()) return { status: 'expired' };
    return { status: 'valid', purpose: PURPOSE[row.purpose], email: maskEmail(row.subscriber.email) };
  });
}

export type DataLinkRefusal = 'used' | 'expired' | 'unknown';

/** Marks the link used, atomically (of two concurrent POSTs one wins); the subscriber id, or why not. */
async function consumeDataLink(tx: Tx, token: string, purpose: DataPurpose, now: Date): Promise<{ subscriberId: string } | { refused: DataLinkRefusal }> {
  if (!isWellFormedToken(token)) return { refused: 'unknown' };
  const hash = hashToken(token);
  const [consumed] = await tx.$queryRaw<{ subscriberId: string; tokenHash: string }[]>`
    UPDATE data_access_tokens SET used_at = ${now}::timestamptz
    WHERE token_hash = ${hash} AND purpose = ${purpose === 'export' ? 'EXPORT' : 'DELETE'}::data_access_purpose
      AND used_at IS NULL AND expires_at > ${now}::timestamptz
    RETURNING subscriber_id::text AS "subscriberId", token_hash AS "tokenHash"`;
  if (consumed && hashesEqual(consumed.tokenHash, hash)) return { subscriberId: consumed.subscriberId };
  const row = await tx.dataAccessToken.findUnique({ where: { tokenHash: hash }, select: { purpose: true, usedAt: true, expiresAt: true } });
  if (!row || PURPOSE[row.purpose] !== purpose) return { refused: 'unknown' };
  return { refused: row.usedAt ? 'used' : 'expired' };
}

export type SubscriberDataExport = {
  exportedAt: string;
  /** The same columns as the operator's CSV export (subscriber-columns.ts), for the reader. */
  summary: Record<SubscriberColumn, string>;
  subscriber: {
    email: string;
    status: SubscriberStatus;
    source: string | null;
    subscribedAt: string;
    confirmedAt: string | null;
    unsubscribedAt: string | null;
    lastConfirmationEmailAt: string | null;
    updatedAt: string;
  };
  /** How often we write: every article or a weekly digest, and a pause (the date emails start again). */
  preferences: { delivery: 'every' | 'weekly'; pausedUntil: string | null; changedAt: string | null };
  confirmationLinks: { createdAt: string; expiresAt: string; usedAt: string | null }[];
  dataLinks: { purpose: DataPurpose; createdAt: string; expiresAt: string; usedAt: string | null }[];
  emails: { kind: string; status: string; createdAt: string; sentAt: string | null; attempts: number }[];
  /** Set when the address hard-bounced or complained: nothing is sent to it any more. */
  suppression: { reason: string; since: string } | null;
  notes: string[];
};

const iso = (date: Date | null) => (date ? date.toISOString() : null);

async function collectExport(tx: Tx, id: string, now: Date): Promise<SubscriberDataExport | null> {
  const subscriber = await tx.subscriber.findUnique({
    where: { id },
    include: {
      confirmationTokens: { orderBy: { createdAt: 'asc' }, select: { createdAt: true, expiresAt: true, usedAt: true } },
      dataAccessTokens: { orderBy: { createdAt: 'asc' }, select: { purpose: true, createdAt: true, expiresAt: true, usedAt: true } },
    },
  });
  if (!subscriber) return null;
  // Not through a relation: outbox_emails has no foreign key to subscribers (prisma/schema.prisma says why).
  const outboxEmails = await tx.outboxEmail.findMany({
    where: { subscriberId: id },
    orderBy: { createdAt: 'asc' },
    select: { kind: true, status: true, createdAt: true, sentAt: true, attempts: true },
  });
  const suppression = await tx.suppression.findUnique({ where: { email: subscriber.email }, select: { reason: true, createdAt: true } });
  return {
    exportedAt: now.toISOString(),
    summary: subscriberColumnValues({ ...subscriber, preferences: preferenceCell(subscriber, now), suppression: suppression ? { reason: suppression.reason, since: suppression.createdAt } : null }),
    subscriber: {
      email: subscriber.email,
      status: subscriber.status,
      source: subscriber.source,
      subscribedAt: subscriber.createdAt.toISOString(),
      confirmedAt: iso(subscriber.confirmedAt),
      unsubscribedAt: iso(subscriber.unsubscribedAt),
      lastConfirmationEmailAt: iso(subscriber.lastConfirmationSentAt),
      updatedAt: subscriber.updatedAt.toISOString(),
    },
    preferences: {
      delivery: describePreference(subscriber, now).delivery,
      pausedUntil: describePreference(subscriber, now).pausedUntil,
      changedAt: iso(subscriber.deliveryChangedAt),
    },
    confirmationLinks: subscriber.confirmationTokens.map((t) => ({ createdAt: t.createdAt.toISOString(), expiresAt: t.expiresAt.toISOString(), usedAt: iso(t.usedAt) })),
    dataLinks: subscriber.dataAccessTokens.map((t) => ({
      purpose: PURPOSE[t.purpose],
      createdAt: t.createdAt.toISOString(),
      expiresAt: t.expiresAt.toISOString(),
      usedAt: iso(t.usedAt),
    })),
    emails: outboxEmails.map((e) => ({ kind: e.kind, status: e.status, createdAt: e.createdAt.toISOString(), sentAt: iso(e.sentAt), attempts: e.attempts })),
    suppression: suppression ? { reason: suppression.reason, since: suppression.createdAt.toISOString() } : null,
    notes: [
      'Confirmation and data links are stored only as SHA-256 hashes; the links themselves are not kept.',
      'Your IP address is not stored; rate limits keep a keyed hash of it for at most a day.',
      ...(suppression?.reason === 'IMPORT'
        ? ['The list this newsletter moved from had your address as unsubscribed or undeliverable, so we send it nothing.']
        : suppression
        ? ['Your address bounced or reported our email as spam, so we send it nothing. Deleting your data keeps this one record, so that stays true.']
        : []),
    ],
  };
}

/** Everything stored about the subscriber, for an export link (used up by this call). */
export async function exportSubscriberData(
  token: string,
  options: ServiceOptions = {},
): Promise<{ ok: true; data: SubscriberDataExport } | { ok: false; refused: DataLinkRefusal }> {
  const secret = requireNewsletterSecret();
  const now = nowOf(options);
  return withDatabase('export', options, async (db) => {
    await enforceTokenRouteLimit(db, 'data', options, secret);
    const result = await db.$transaction(async (tx) => {
      const consumed = await consumeDataLink(tx, token, 'export', now);
      if ('refused' in consumed) return { ok: false as const, refused: consumed.refused };
      const data = await collectExport(tx, consumed.subscriberId, now);
      return data ? { ok: true as const, data, subscriberId: consumed.subscriberId } : { ok: false as const, refused: 'unknown' as const };
    }, TRANSACTION_OPTIONS);
    log.info('export', { subscriber: result.ok ? result.subscriberId : undefined, outcome: result.ok ? 'exported' : result.refused });
    return result.ok ? { ok: true, data: result.data } : result;
  });
}

/** Deletes the subscriber, their tokens and every outbox row addressed to them, for a deletion link. */
export async function deleteSubscriberData(token: string, options: ServiceOptions = {}): Promise<{ ok: true } | { ok: false; refused: DataLinkRefusal }> {
  const secret = requireNewsletterSecret();
  const now = nowOf(options);
  return withDatabase('delete', options, async (db) => {
    await enforceTokenRouteLimit(db, 'data', options, secret);
    const result = await db.$transaction(async (tx) => {
      const consumed = await consumeDataLink(tx, token, 'delete', now);
      if ('refused' in consumed) return { ok: false as const, refused: consumed.refused };
      // The outbox rows hold the address too; the deletion's trigger would only null their subscriber_id.
      await tx.outboxEmail.deleteMany({ where: { subscriberId: consumed.subscriberId } });
      await tx.subscriber.deleteMany({ where: { id: consumed.subscriberId } }); // tokens cascade
      return { ok: true as const, subscriberId: consumed.subscriberId };
    }, TRANSACTION_OPTIONS);
    log.info('delete', { subscriber: result.ok ? result.subscriberId : undefined, outcome: result.ok ? 'deleted' : result.refused });
    return result.ok ? { ok: true } : result;
  });
}
