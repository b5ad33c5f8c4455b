import type { PrismaClient } from '../generated/prisma/client';
import { log } from './log';
import { deleteExpiredRateLimitBuckets } from './rate-limit';

/**
 * Data we stop keeping, run by the same worker that sends mail (worker.ts, the scheduler route).
 * Unconfirmed signups are deleted 30 days after their last confirmation email (or their signup):
 * links expire after 48 hours, so such a row can never be confirmed, only forgotten. Measuring from
 * the last email rather than the first signup keeps a reader who re-subscribed yesterday.
 */
export const PENDING_RETENTION_MS = 30 * 24 * 60 * 60_000;
const DELETE_BATCH = 1_000;

export async function deleteStalePendingSubscribers(db: PrismaClient, now: Date = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - PENDING_RETENTION_MS);
  let total = 0;
  for (;;) {
    const deleted = await db.$transaction(async (tx) => {
      // Locked (and skipped when a signup holds them), so a row re-subscribed meanwhile is left alone.
      const stale = await tx.$queryRaw<{ id: string }[]>`
        SELECT id::text AS id FROM subscribers
        WHERE status = 'PENDING' AND COALESCE(last_confirmation_sent_at, created_at) < ${cutoff}::timestamptz
        LIMIT ${DELETE_BATCH}
        FOR UPDATE SKIP LOCKED`;
      if (stale.length === 0) return 0;
      const ids = stale.map((row) => row.id);
      // Their outbox rows carry the address; confirmation tokens go by cascade.
      await tx.outboxEmail.deleteMany({ where: { subscriberId: { in: ids } } });
      const { count } = await tx.subscriber.deleteMany({ where: { id: { in: ids } } });
      return count;
    });
    total += deleted;
    if (deleted < DELETE_BATCH) break;
  }
  if (total > 0) log.info('cleanup-pending', { deleted: total });
  return total;
}

/**
 * Webhook ids are kept to ignore redeliveries, which Svix makes for about a day; after 30 days a
 * replayed event is applied again, which is harmless (suppressing an address twice changes nothing).
 */
export const WEBHOOK_EVENT_RETENTION_MS = 30 * 24 * 60 * 60_000;

export async function deleteOldWebhookEvents(db: PrismaClient, now: Date = new Date()): Promise<number> {
  const { count } = await db.webhookEvent.deleteMany({ where: { receivedAt: { lt: new Date(now.getTime() - WEBHOOK_EVENT_RETENTION_MS) } } });
  return count;
}

export type CleanupResult = { deletedPending: number; deletedRateLimitBuckets: number; deletedWebhookEvents: number };

export async function runCleanup(db: PrismaClient, now: Date = new Date()): Promise<CleanupResult> {
  const deletedPending = await deleteStalePendingSubscribers(db, now);
  const deletedRateLimitBuckets = await deleteExpiredRateLimitBuckets(db, now);
  const deletedWebhookEvents = await deleteOldWebhookEvents(db, now);
  return { deletedPending, deletedRateLimitBuckets, deletedWebhookEvents };
}
