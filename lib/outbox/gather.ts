import { randomUUID } from 'node:crypto';
import type { OutboxKind, PrismaClient } from '../generated/prisma/client';
import { insertQueuedBatchesSql, PROVIDER_BATCH_SIZE } from './write';

/**
 * Per-row emails that piled up (a burst of signups' confirmations) become one provider batch: ONE
 * statement takes those of `ids` that are still QUEUED, due, of `kind` and in no batch (FOR UPDATE
 * SKIP LOCKED, so a per-row claim racing it gets the others), writes an outbox_batches row and puts
 * them in it. From then on they are the batch sender's (lib/outbox/batches.ts): its claim, its
 * fixed Idempotency-Key, its lease, so a crash after the request is delivered once, as for
 * announcements. Returns the batch id and the ids it took (none: no batch is written).
 */
export async function gatherIntoBatch(
  db: PrismaClient,
  { ids, kind, now }: { ids: readonly string[]; kind: OutboxKind; now: Date },
): Promise<{ batchId: string; ids: string[] } | null> {
  if (ids.length === 0) return null;
  const batchId = randomUUID();
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    `WITH picked AS (
       SELECT id FROM outbox_emails
       WHERE id = ANY($1::uuid[]) AND kind = $2::outbox_kind AND status = 'QUEUED' AND batch_id IS NULL AND next_attempt_at <= $3::timestamptz
       ORDER BY id
       LIMIT ${PROVIDER_BATCH_SIZE}
       FOR UPDATE SKIP LOCKED
     ), batch AS (
       ${insertQueuedBatchesSql({ id: '$4::uuid', kind: '$2::outbox_kind', now: '$3::timestamptz' })}
       WHERE EXISTS (SELECT 1 FROM picked)
       RETURNING id
     )
     UPDATE outbox_emails AS o SET batch_id = batch.id
     FROM batch
     WHERE o.id IN (SELECT id FROM picked)
     RETURNING o.id::text AS id`,
    [...ids],
    kind,
    now,
    batchId,
  );
  return rows.length === 0 ? null : { batchId, ids: rows.map((row) => row.id) };
}
