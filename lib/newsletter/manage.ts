import type { SubscriberStatus } from '../generated/prisma/client';
import { maskEmail } from '../format';
import { requireNewsletterSecret } from './config';
import { scheduleImmediateSend } from './immediate';
import { log } from './log';
import { countUnsubscribe } from '../metrics/registry';
import { DATA_LINK_TTL_MINUTES, type DataLinkPayload } from './emails';
import { DATA_LINK_RATE_LIMIT } from './rate-limit';
import { enforceRateLimit, enforceTokenRouteLimit, nowOf, TRANSACTION_OPTIONS, withDatabase, type ServiceOptions } from './service-context';
import { generateConfirmationToken, isWellFormedToken, sealToken, verifyManageToken } from './tokens';
import { writeOutboxRow } from '../outbox/write';
import { describePreference } from '../reader-preference';

/**
 * What the link in every email can do (the manage token): show the subscriber's page, unsubscribe
 * at once (RFC 8058), and ask for a data link, which is emailed to the subscriber. It cannot export
 * or delete anything itself, so a forwarded newsletter hands over no one's data.
 */

/** The subscriber id behind a manage token, or null. Needs only NEWSLETTER_SECRET (never switched off). */
function subscriberIdFromToken(token: string, secret: string): string | null {
  if (!isWellFormedToken(token)) return null;
  return verifyManageToken(token, secret);
}

export type ManageTokenState =
  | { valid: false }
  | { valid: true; email: string; status: SubscriberStatus; preference: ReturnType<typeof describePreference> };

/** For the manage page's GET: the masked address, status and preference behind the link. Read-only. */
export async function inspectManageToken(token: string, options: ServiceOptions = {}): Promise<ManageTokenState> {
  const id = subscriberIdFromToken(token, requireNewsletterSecret());
  if (!id) return { valid: false };
  return withDatabase('inspect-manage', options, async (db) => {
    const subscriber = await db.subscriber.findUnique({ where: { id }, select: { email: true, status: true, delivery: true, pausedUntil: true } });
    if (!subscriber) return { valid: false };
    return { valid: true, email: maskEmail(subscriber.email), status: subscriber.status, preference: describePreference(subscriber, nowOf(options)) };
  });
}

/**
 * Unsubscribes at once (one-click, RFC 8058). Idempotent: an already unsubscribed subscriber gets
 * 'unsubscribed' again. Unused confirmation links die and queued emails are cancelled.
 */
export async function unsubscribe(token: string, options: ServiceOptions = {}): Promise<{ status: 'unsubscribed' | 'unknown' }> {
  const secret = requireNewsletterSecret();
  const now = nowOf(options);
  return withDatabase('unsubscribe', options, async (db) => {
    await enforceTokenRouteLimit(db, 'unsubscribe', options, secret);
    const id = subscriberIdFromToken(token, secret);
    if (!id) return { status: 'unknown' as const };
    const status = await db.$transaction(async (tx) => {
      const { count } = await tx.subscriber.updateMany({
        where: { id, status: { not: 'UNSUBSCRIBED' } },
        data: { status: 'UNSUBSCRIBED', unsubscribedAt: now },
      });
      if (count === 0) {
        const exists = await tx.subscriber.count({ where: { id } });
        return exists > 0 ? ('unsubscribed' as const) : ('unknown' as const);
      }
      await tx.confirmationToken.deleteMany({ where: { subscriberId: id, usedAt: null } });
      // Queued emails are cancelled, but not a data link the reader asked for: their data is still theirs.
      await tx.$executeRaw`
        UPDATE outbox_emails
        SET status = 'CANCELLED', payload = payload - 'sealedToken', last_error = 'cancelled: unsubscribed'
        WHERE subscriber_id = ${id}::uuid AND status = 'QUEUED' AND kind <> 'DATA_LINK'`;
      return 'unsubscribed' as const;
    }, TRANSACTION_OPTIONS);
    log.info('unsubscribe', { subscriber: id, outcome: status });
    countUnsubscribe(status);
    return { status };
  });
}

export type DataPurpose = 'export' | 'delete';

/**
 * Emails the subscriber behind `token` a single-use link (an hour) that exports or deletes their
 * data; the token row and the outbox row are written in one transaction. At most
 * DATA_LINK_RATE_LIMIT such emails per subscriber, so a forwarded link cannot flood the inbox.
 */
export async function requestDataLink(
  token: string,
  purpose: DataPurpose,
  options: ServiceOptions = {},
): Promise<{ status: 'sent' | 'unknown' }> {
  const secret = requireNewsletterSecret();
  const now = nowOf(options);
  return withDatabase('data-link', options, async (db) => {
    await enforceTokenRouteLimit(db, 'data', options, secret);
    const id = subscriberIdFromToken(token, secret);
    if (!id) return { status: 'unknown' as const };
    const subscriber = await db.subscriber.findUnique({ where: { id }, select: { id: true, email: true } });
    if (!subscriber) return { status: 'unknown' as const };
    await enforceRateLimit(db, { key: `data-link:subscriber:${id}`, rule: DATA_LINK_RATE_LIMIT, scope: 'subscriber', now });

    const outboxId = await db.$transaction(async (tx) => {
      const { token: dataToken, hash } = generateConfirmationToken();
      const tokenRow = await tx.dataAccessToken.create({
        data: {
          subscriberId: subscriber.id,
          purpose: purpose === 'export' ? 'EXPORT' : 'DELETE',
          tokenHash: hash,
          expiresAt: new Date(now.getTime() + DATA_LINK_TTL_MINUTES * 60_000),
          createdAt: now,
        },
        select: { id: true },
      });
      const payload: DataLinkPayload = { sealedToken: sealToken(dataToken, secret, 'data-link'), purpose, expiresInMinutes: DATA_LINK_TTL_MINUTES };
      const rowId = await writeOutboxRow(tx, { template: 'DATA_LINK', subscriberId: subscriber.id, to: subscriber.email, payload, dedupeKey: `data-link:${tokenRow.id}`, now });
      return rowId;
    }, TRANSACTION_OPTIONS);
    log.info('data-link', { subscriber: id, purpose, outbox: outboxId });
    if (options.sendImmediately !== false) scheduleImmediateSend([outboxId], { db });
    return { status: 'sent' as const };
  });
}
