import type { PrismaClient } from '../generated/prisma/client';
import type { ClaimedRow } from './rows';
import { SECRET_PAYLOAD_KEYS } from './templates';

/**
 * The statements that settle a claimed provider batch and its emails (batches.ts claims and sends).
 * Each is guarded by `status = 'SENDING' AND claimed_by = <us>`, so a sender whose lease was taken
 * over changes nothing.
 */

export type Batch = { id: string; key: string; attempts: number };
export type Row = ClaimedRow;

/** Who holds the claim, and for how long a lease runs. */
export type BatchOwner = { db: PrismaClient; workerId: string; now: () => Date; leaseMs: number };

/** Finishes the batch row itself (while it is still ours); `status` null keeps it SENDING-free for a retry. */
export async function settleBatch(
  ctx: BatchOwner,
  batch: Batch,
  data: { status: 'SENT' | 'FAILED' | 'CANCELLED' | 'QUEUED'; countAttempt: boolean; nextAttemptAt?: Date; error?: string | null },
): Promise<void> {
  await ctx.db.$executeRawUnsafe(
    `UPDATE outbox_batches
     SET status = $1::outbox_status, claimed_by = NULL, lease_until = NULL, attempts = attempts + $2::int,
         next_attempt_at = COALESCE($3::timestamptz, next_attempt_at), last_error = $4,
         sent_at = CASE WHEN $1 = 'SENT' THEN $5::timestamptz ELSE sent_at END
     WHERE id = $6::uuid AND status = 'SENDING' AND claimed_by = $7`,
    data.status,
    data.countAttempt ? 1 : 0,
    data.nextAttemptAt ?? null,
    data.error?.slice(0, 1000) ?? null,
    ctx.now(),
    batch.id,
    ctx.workerId,
  );
}

export async function markSent(ctx: BatchOwner, rows: Row[], providerIds: (string | null)[]): Promise<number> {
  if (rows.length === 0) return 0;
  return ctx.db.$executeRawUnsafe(
    `UPDATE outbox_emails AS o
     SET status = 'SENT', sent_at = $1::timestamptz, provider_message_id = v.pid, claimed_by = NULL, lease_until = NULL,
         last_error = NULL, attempts = o.attempts + 1, payload = o.payload - $5::text[]
     FROM unnest($2::uuid[], $3::text[]) AS v(id, pid)
     WHERE o.id = v.id AND o.status = 'SENDING' AND o.claimed_by = $4`,
    ctx.now(),
    rows.map((row) => row.id),
    providerIds,
    ctx.workerId,
    SECRET_PAYLOAD_KEYS,
  );
}

export async function markFailed(ctx: BatchOwner, rows: Row[], error: string, countAttempt: boolean): Promise<number> {
  if (rows.length === 0) return 0;
  return ctx.db.$executeRawUnsafe(
    `UPDATE outbox_emails SET status = 'FAILED', claimed_by = NULL, lease_until = NULL, last_error = $1, attempts = attempts + $4::int,
         payload = payload - $5::text[]
     WHERE id = ANY($2::uuid[]) AND status = 'SENDING' AND claimed_by = $3`,
    error.slice(0, 1000),
    rows.map((row) => row.id),
    ctx.workerId,
    countAttempt ? 1 : 0,
    SECRET_PAYLOAD_KEYS,
  );
}

/** Hands the emails back, still in their batch (SENDING, no owner); the batch row says when it goes again. */
export async function releaseRows(ctx: BatchOwner, rows: Row[], reason: string, countAttempt: boolean): Promise<number> {
  if (rows.length === 0) return 0;
  return ctx.db.$executeRawUnsafe(
    `UPDATE outbox_emails SET claimed_by = NULL, lease_until = NULL, last_error = $1, attempts = attempts + $2::int
     WHERE id = ANY($3::uuid[]) AND status = 'SENDING' AND claimed_by = $4`,
    reason.slice(0, 1000),
    countAttempt ? 1 : 0,
    rows.map((row) => row.id),
    ctx.workerId,
  );
}

export async function extendLease(ctx: BatchOwner, batch: Batch): Promise<void> {
  await ctx.db.$executeRawUnsafe(
    `UPDATE outbox_batches SET lease_until = $1::timestamptz WHERE id = $2::uuid AND status = 'SENDING' AND claimed_by = $3`,
    new Date(ctx.now().getTime() + ctx.leaseMs),
    batch.id,
    ctx.workerId,
  );
}

/** Hands the batch back for another attempt after `delayMs`. */
export async function retryLater(ctx: BatchOwner, batch: Batch, rows: Row[], delayMs: number, reason: string, countAttempt: boolean): Promise<number> {
  const released = await releaseRows(ctx, rows, reason, countAttempt);
  await settleBatch(ctx, batch, { status: 'QUEUED', countAttempt, nextAttemptAt: new Date(ctx.now().getTime() + Math.max(0, delayMs)), error: reason });
  return released;
}
