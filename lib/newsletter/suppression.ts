import type { Prisma, PrismaClient, SuppressionReason } from '../generated/prisma/client';
import { normalizeEmail } from '../validations/newsletter';

/**
 * The suppression list: addresses nothing is ever sent to again (a hard bounce or a complaint
 * reported by Resend's webhooks, or a MANUAL entry). Enforced in two places, so no path around
 * them sends: subscribe() writes no outbox row for a suppressed address, and the outbox worker
 * cancels any row whose recipient is suppressed, whenever it was queued.
 *
 * Kept when a subscriber deletes their data: it is the record that stops us mailing an address
 * that bounced or complained, not a subscription (and holds nothing but the address and why).
 */

type Db = PrismaClient | Prisma.TransactionClient;

/** Whether `email` (any case, stray spaces) is suppressed. */
export async function isSuppressed(db: Db, email: string): Promise<boolean> {
  const row = await db.suppression.findUnique({ where: { email: normalizeEmail(email) }, select: { id: true } });
  return row !== null;
}

/**
 * Suppresses each address (normalized, duplicates and blanks dropped). An address already on the
 * list keeps its first reason and source (ON CONFLICT DO NOTHING). Queued emails to these
 * addresses are cancelled in the same statement batch; rows a worker holds right now are
 * cancelled by the worker's own check before it calls the provider. Returns the addresses newly added.
 */
export async function suppressAddresses(
  db: Db,
  input: { emails: readonly string[]; reason: SuppressionReason; sourceEventId?: string | null; now?: Date },
): Promise<{ added: number; cancelledEmails: number }> {
  const emails = [...new Set(input.emails.map(normalizeEmail).filter((email) => email !== ''))];
  if (emails.length === 0) return { added: 0, cancelledEmails: 0 };
  const now = input.now ?? new Date();
  let added = 0;
  for (const email of emails) {
    added += await db.$executeRaw`
      INSERT INTO suppressions (id, email, reason, created_at, source_event_id)
      VALUES (gen_random_uuid(), ${email}, ${input.reason}::suppression_reason, ${now}::timestamptz, ${input.sourceEventId ?? null})
      ON CONFLICT (email) DO NOTHING`;
  }
  // The payload's sealed token is dropped as when any other row is cancelled: it is useless now.
  const cancelledEmails = await db.$executeRaw`
    UPDATE outbox_emails
    SET status = 'CANCELLED', payload = payload - 'sealedToken', last_error = 'cancelled: address suppressed'
    WHERE status = 'QUEUED' AND to_address = ANY(${emails}::text[])`;
  return { added, cancelledEmails };
}
