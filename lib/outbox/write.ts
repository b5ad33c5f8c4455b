import type { OutboxKind, Prisma, PrismaClient } from '../generated/prisma/client';

/**
 * How features hand an email to the outbox: they write a row, in the same transaction as the
 * change that causes it, and name the template (the row's kind). Sending is lib/outbox's business.
 * Announcements write their rows (and batches) set-based in one INSERT … SELECT (lib/announce/enqueue.ts).
 */

/** Resend's maximum per POST /emails/batch: the size of the batches announcements are queued in. */
export const PROVIDER_BATCH_SIZE = 100;

/**
 * The start of an `INSERT … SELECT` of new, queued outbox_batches rows, for the statements that
 * form batches (announcements, digests, piled-up confirmations). Each argument is an SQL
 * expression. A batch's Idempotency-Key is derived from its id here, once, so a retry of the
 * batch (batches.ts) is always the same request to the provider.
 */
export function insertQueuedBatchesSql({ id, kind, now }: { id: string; kind: string; now: string }): string {
  return `INSERT INTO outbox_batches (id, kind, idempotency_key, status, attempts, next_attempt_at, created_at)
       SELECT ${id}, ${kind}, 'outbox-batch/' || ${id}::text, 'QUEUED', 0, ${now}, ${now}`;
}

export type OutboxRowInput = {
  template: OutboxKind;
  subscriberId: string;
  to: string;
  payload: Prisma.InputJsonValue;
  /** Makes the write idempotent (a unique natural key, e.g. "confirmation:<tokenId>"). */
  dedupeKey?: string;
  /** When it may be sent (default: at once); also its created_at. */
  now?: Date;
};

/** Writes one outbox row through `tx` (a transaction or the client) and returns its id. */
export async function writeOutboxRow(tx: Prisma.TransactionClient | PrismaClient, input: OutboxRowInput): Promise<string> {
  const now = input.now ?? new Date();
  const row = await tx.outboxEmail.create({
    data: {
      kind: input.template,
      subscriberId: input.subscriberId,
      toAddress: input.to,
      payload: input.payload,
      dedupeKey: input.dedupeKey,
      nextAttemptAt: now,
      createdAt: now,
    },
    select: { id: true },
  });
  return row.id;
}
