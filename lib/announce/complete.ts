import { getDb } from '../db';
import type { PrismaClient } from '../generated/prisma/client';

/**
 * Marks announcements COMPLETED once no announcement email is left to send. Returns how many.
 * Called when a sender has drained the batches (lib/sending.ts hands it to the outbox as onDrained).
 */
export async function completeAnnouncements(db: PrismaClient = getDb(), now: Date = new Date()): Promise<number> {
  return db.$executeRawUnsafe(
    `UPDATE announcements SET status = 'COMPLETED', completed_at = $1::timestamptz
     WHERE status = 'SENDING'
       AND NOT EXISTS (
         SELECT 1 FROM outbox_batches b JOIN outbox_emails o ON o.batch_id = b.id
         WHERE b.status IN ('QUEUED', 'SENDING') AND o.status IN ('QUEUED', 'SENDING'))`,
    now,
  );
}
