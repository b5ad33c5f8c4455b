import type { SubscriberStatus } from '../generated/prisma/client';
import { requireNewsletterSecret } from './config';
import { scheduleImmediateSend } from './immediate';
import { log } from './log';
import { countConfirmation } from '../metrics/registry';
import { newestArticlesForWelcome, type WelcomePayload } from './emails';
import { enforceTokenRouteLimit, nowOf, TRANSACTION_OPTIONS, withDatabase, type ServiceOptions, type Tx } from './service-context';
import { hashesEqual, hashToken, isWellFormedToken } from './tokens';
import type { PrismaClient } from '../generated/prisma/client';
import { writeOutboxRow } from '../outbox/write';

/** The second half of double opt-in: the link's page reads the token, its button's POST confirms. */

type TokenState = { subscriberId: string; tokenHash: string; expiresAt: Date; usedAt: Date | null; status: SubscriberStatus };

async function findToken(db: PrismaClient | Tx, hash: string): Promise<TokenState | null> {
  const row = await db.confirmationToken.findUnique({
    where: { tokenHash: hash },
    select: { subscriberId: true, tokenHash: true, expiresAt: true, usedAt: true, subscriber: { select: { status: true } } },
  });
  // The lookup is by an index on the hash; the comparison here is the constant-time one.
  if (!row || !hashesEqual(row.tokenHash, hash)) return null;
  return { subscriberId: row.subscriberId, tokenHash: row.tokenHash, expiresAt: row.expiresAt, usedAt: row.usedAt, status: row.subscriber.status };
}

/**
 * Read-only, for the confirmation page's GET (mail scanners fetch links; a GET never confirms).
 * 'used': the subscriber is confirmed (this or another link did it); a used link of someone who
 * has since unsubscribed reads 'unknown', so it cannot claim "you're subscribed".
 */
export async function inspectConfirmationToken(token: string, options: ServiceOptions = {}): Promise<'valid' | 'expired' | 'used' | 'unknown'> {
  if (!isWellFormedToken(token)) return 'unknown';
  const now = nowOf(options);
  return withDatabase('inspect-confirmation', options, async (db) => {
    const found = await findToken(db, hashToken(token));
    if (!found) return 'unknown';
    if (found.status === 'CONFIRMED') return 'used';
    if (found.usedAt) return 'unknown';
    if (found.expiresAt.getTime() <= now.getTime()) return 'expired';
    return found.status === 'PENDING' ? 'valid' : 'unknown';
  });
}

export type ConfirmStatus = 'confirmed' | 'already-confirmed' | 'expired' | 'unknown';

/**
 * POST only. Consumes the token (single use) and, in the same transaction, confirms the
 * subscriber and queues the welcome email. Confirming twice answers 'already-confirmed'.
 */
export async function confirmSubscription(token: string, options: ServiceOptions = {}): Promise<{ status: ConfirmStatus }> {
  const secret = requireNewsletterSecret();
  const now = nowOf(options);
  return withDatabase('confirm', options, async (db) => {
    await enforceTokenRouteLimit(db, 'confirm', options, secret);
    if (!isWellFormedToken(token)) return { status: 'unknown' as const };
    const hash = hashToken(token);
    const result = await db.$transaction(async (tx): Promise<{ status: ConfirmStatus; outboxId?: string }> => {
      // Atomic single use: of two concurrent confirms, one updates the row, the other waits for its
      // commit, finds used_at set, and reads 'already-confirmed' below.
      const [consumed] = await tx.$queryRaw<{ subscriberId: string; tokenHash: string }[]>`
        UPDATE confirmation_tokens SET used_at = ${now}::timestamptz
        WHERE token_hash = ${hash} AND used_at IS NULL AND expires_at > ${now}::timestamptz
        RETURNING subscriber_id::text AS "subscriberId", token_hash AS "tokenHash"`;

      if (!consumed || !hashesEqual(consumed.tokenHash, hash)) {
        const found = await findToken(tx, hash);
        if (!found) return { status: 'unknown' };
        if (found.status === 'CONFIRMED') return { status: 'already-confirmed' };
        if (found.usedAt) return { status: 'unknown' };
        return { status: 'expired' };
      }

      const [subscriber] = await tx.$queryRaw<{ id: string; email: string; status: SubscriberStatus }[]>`
        SELECT id::text AS id, email, status::text AS status FROM subscribers WHERE id = ${consumed.subscriberId}::uuid FOR UPDATE`;
      if (!subscriber) return { status: 'unknown' };
      if (subscriber.status === 'CONFIRMED') return { status: 'already-confirmed' };
      // Unsubscribing deletes unused tokens, so this cannot happen; if it does, the unsubscribe wins.
      if (subscriber.status !== 'PENDING') return { status: 'unknown' };
      await tx.subscriber.update({
        where: { id: subscriber.id },
        data: { status: 'CONFIRMED', confirmedAt: now, unsubscribedAt: null },
      });
      const payload: WelcomePayload = { articles: newestArticlesForWelcome() };
      const rowId = await writeOutboxRow(tx, { template: 'WELCOME', subscriberId: subscriber.id, to: subscriber.email, payload, dedupeKey: `welcome:${subscriber.id}:${now.getTime()}`, now });
      return { status: 'confirmed', outboxId: rowId };
    }, TRANSACTION_OPTIONS);
    log.info('confirm', { outcome: result.status, outbox: result.outboxId });
    countConfirmation(result.status);
    if (result.outboxId && options.sendImmediately !== false) scheduleImmediateSend([result.outboxId], { db });
    return { status: result.status };
  });
}
