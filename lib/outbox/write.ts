import type { OutboxKind, Prisma, PrismaClient } from '../generated/prisma/client';

/**
 * How features hand an email to the outbox: they write a row, in the same transaction as the
 * change that causes it, and name the template (the row's kind). Sending is lib/outbox's business.
 * Announcements write their rows (and batches) set-based in one INSERT … SELECT (lib/announce/enqueue.ts).
 */

/** Resend's maximum per POST /emails/batch: the size of the batches announcements are queued in. */
export const PROVIDER_BATCH_SIZE = 100;

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
