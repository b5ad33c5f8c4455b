import { isCircuitOpenFailure, type BatchEmailTransport, type BatchSendResult, type OutgoingEmail } from '../email';
import { getDb } from '../db';
import type { OutboxKind, PrismaClient } from '../generated/prisma/client';
import { BatchRenderer } from './batch-render';
import { log } from './log';
import { countBatchOutcome } from '../metrics/registry';
import { sharedPacer } from './pacer-default';
import type { Pacer, PacerSlot } from './pacing';
import { extendLease, markFailed, markSent, retryLater, settleBatch, type Batch, type BatchOwner, type Row } from './batch-settle';
import { decideRetry, failureFacts, RETRY_DEFAULTS } from './retry-policy';
import { abortableSleep, AbortedError } from './sleep';
import { outsideAudienceSql, SECRET_PAYLOAD_KEYS, stillWantedSql, type OutboxTemplates } from './templates';
import { defaultWorkerId } from './worker-id';
import { PROVIDER_BATCH_SIZE } from './write';

/**
 * Sends provider batches (outbox_batches: up to 100 ANNOUNCEMENT or DIGEST emails each, formed when
 * they were queued) through the provider's batch endpoint, as Ghost's email service does:
 * - a batch is claimed by ONE status-guarded UPDATE (QUEUED and due, or SENDING with an expired
 *   lease: its sender died), FOR UPDATE SKIP LOCKED, so concurrent senders never take the same one;
 * - its Idempotency-Key ("outbox-batch/<id>") is fixed with the row, so a retry after a crash or a
 *   lost answer is delivered once (the provider replays its first answer);
 * - `lease_until` is the claim, `next_attempt_at` the retry time; attempts only go up (a claim taken
 *   over from a dead sender counts one, a send the provider answered counts one; an open circuit,
 *   a 429 or a stop count nothing, as the provider never took the emails);
 * - who still gets it (unsubscribed, suppressed, deleted, or a template's own stillWanted rule) is checked right before every attempt;
 * - requests are paced by a Pacer: by default the bucket all instances share (lib/outbox/pacing.ts).
 */

export const BATCH_KINDS = ['DIGEST', 'ANNOUNCEMENT', 'WEEKLY_DIGEST'] as const satisfies readonly OutboxKind[];

export const SENDER_DEFAULTS = {
  /** Resend's maximum per POST /emails/batch (batches are formed at enqueue, lib/outbox/write.ts). */
  batchSize: PROVIDER_BATCH_SIZE,
  /** Resend's default limit per team. */
  requestsPerSecond: 2,
  /** Batches being prepared or sent at once: one waits for its slot while the other is in flight. */
  concurrency: 2,
  /** How long a claimed batch is ours. Far above a send's 10 s timeout plus the wait for a slot. */
  leaseMs: 2 * 60_000,
  maxAttempts: RETRY_DEFAULTS.maxAttempts,
  backoffBaseMs: RETRY_DEFAULTS.backoffBaseMs,
} as const;

export type BatchOutcome = {
  key: string;
  /** Emails in the batch when it was claimed this time. */
  claimed: number;
  /** Accepted by the provider (or already accepted by an earlier attempt under the same key). */
  sent: number;
  /** Left out: unsubscribed, suppressed or deleted since the enqueue. */
  cancelled: number;
  failed: number;
  /** Handed back to be tried again later (retryable failure, 429, abort). */
  retried: number;
  /** A request reached the provider. */
  requested: boolean;
  rateLimited: boolean;
  /** The emails' kind (for the metrics). */
  kind?: OutboxKind;
};

export type SenderTotals = {
  batches: number;
  requests: number;
  claimed: number;
  sent: number;
  cancelled: number;
  failed: number;
  retried: number;
  rateLimited: number;
};

export type SenderOptions = {
  transport: BatchEmailTransport;
  db?: PrismaClient;
  /** Stored in claimed_by; default host:pid:random. */
  workerId?: string;
  /** How each kind renders (lib/sending.ts: the app's templates). */
  templates: OutboxTemplates;
  /** Clock for leases and retry times (tests step it). */
  now?: () => Date;
  /** Default: the pacing every instance shares, in Postgres (sharedPacer()). */
  limiter?: Pacer;
  /** Aborted: nothing new starts, a batch not yet sent is handed back, one in flight finishes. */
  signal?: AbortSignal;
  concurrency?: number;
  /** Only this batch (the immediate send of piled-up emails, lib/outbox/gather.ts). Default: any due batch. */
  batchId?: string;
  /** Stop after this many batches (the worker's step). Default: until nothing is left. */
  maxBatches?: number;
  /**
   * When nothing is claimable but emails are still waiting (a retry not due yet, a batch another
   * sender holds), keep polling up to this long without progress. Default 0: stop at once.
   */
  waitForPendingMs?: number;
  leaseMs?: number;
  maxAttempts?: number;
  random?: () => number;
  /** Sleep used while waiting for pending batches (tests may shorten it). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onBatch?: (outcome: BatchOutcome, totals: SenderTotals) => void;
  /** After the last batch: the features react (announcements mark themselves complete). */
  onDrained?: (db: PrismaClient, now: Date) => Promise<unknown>;
};

type Ctx = BatchOwner & {
  transport: BatchEmailTransport;
  limiter: Pacer;
  /** The templates' stillWanted rules and audiences as SQL (templates.ts), built once per sender. */
  stillWanted: { unwanted: string; why: string };
  outsideAudience: string;
  batchId: string | undefined;
  renderer: BatchRenderer;
  signal: AbortSignal | undefined;
  maxAttempts: number;
  random: () => number;
};

/** Takes one batch that is due (or whose sender died) and marks its emails SENDING. */
async function claimBatch(ctx: Ctx): Promise<{ batch: Batch; rows: Row[] } | null> {
  const now = ctx.now();
  const lease = new Date(now.getTime() + ctx.leaseMs);
  const claimed = await ctx.db.$queryRawUnsafe<Batch[]>(
    `UPDATE outbox_batches AS b
     SET status = 'SENDING', claimed_by = $1, lease_until = $2::timestamptz,
         attempts = b.attempts + CASE WHEN b.status = 'SENDING' THEN 1 ELSE 0 END
     WHERE b.id = (
       SELECT id FROM outbox_batches
       WHERE ((status = 'QUEUED' AND next_attempt_at <= $3::timestamptz) OR (status = 'SENDING' AND lease_until < $3::timestamptz)) ${ctx.batchId ? 'AND id = $4::uuid' : ''}
       ORDER BY next_attempt_at, created_at
       LIMIT 1
       FOR UPDATE SKIP LOCKED
     )
       AND ((b.status = 'QUEUED' AND b.next_attempt_at <= $3::timestamptz) OR (b.status = 'SENDING' AND b.lease_until < $3::timestamptz))
     RETURNING b.id::text AS id, b.idempotency_key AS key, b.attempts`,
    ...[ctx.workerId, lease, now, ...(ctx.batchId ? [ctx.batchId] : [])],
  );
  const batch = claimed[0];
  if (!batch) return null;
  // Sorted by id: a retried batch must list its emails in the same order to have the same body.
  const rows = await ctx.db.$queryRawUnsafe<Row[]>(
    `UPDATE outbox_emails AS o SET status = 'SENDING', claimed_by = $2, lease_until = $3::timestamptz
     WHERE o.batch_id = $1::uuid AND o.status IN ('QUEUED', 'SENDING')
     RETURNING o.id::text AS id, o.kind::text AS kind, o.subscriber_id::text AS "subscriberId", o.to_address AS "toAddress",
               o.payload, o.attempts`,
    batch.id,
    ctx.workerId,
    lease,
  );
  rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { batch: { ...batch, attempts: Number(batch.attempts) }, rows: rows.map((row) => ({ ...row, attempts: Number(row.attempts) })) };
}

/** Emails whose subscriber unsubscribed, was deleted or is suppressed: CANCELLED (while still ours). */
async function cancelUnwanted(ctx: Ctx, rows: Row[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const cancelled = await ctx.db.$queryRawUnsafe<{ id: string }[]>(
    `WITH unwanted AS (
       SELECT o.id,
              CASE WHEN s.id IS NULL THEN 'subscriber deleted'
                   WHEN ${ctx.outsideAudience} THEN 'subscriber is ' || s.status::text
                   WHEN EXISTS (SELECT 1 FROM suppressions x WHERE x.email = o.to_address) THEN 'address suppressed'
                   ELSE ${ctx.stillWanted.why} END AS why
       FROM outbox_emails o LEFT JOIN subscribers s ON s.id = o.subscriber_id
       WHERE o.id = ANY($1::uuid[])
         AND (s.id IS NULL OR ${ctx.outsideAudience} OR EXISTS (SELECT 1 FROM suppressions x WHERE x.email = o.to_address)
              OR ${ctx.stillWanted.unwanted})
     )
     UPDATE outbox_emails AS o
     SET status = 'CANCELLED', claimed_by = NULL, lease_until = NULL, last_error = 'cancelled: ' || unwanted.why,
         payload = o.payload - $3::text[]
     FROM unwanted
     WHERE o.id = unwanted.id AND o.status = 'SENDING' AND o.claimed_by = $2
     RETURNING o.id::text AS id`,
    ...[rows.map((row) => row.id), ctx.workerId, SECRET_PAYLOAD_KEYS],
  );
  return new Set(cancelled.map((row) => row.id));
}

const INVALID_IDEMPOTENT_REQUEST = /\binvalid_idempotent_request\b/;
const EMAIL_INDEX = /\bemails\[(\d+)\]/;

function emptyOutcome(key: string, claimed: number): BatchOutcome {
  return { key, claimed, sent: 0, cancelled: 0, failed: 0, retried: 0, requested: false, rateLimited: false };
}

/** Claims one batch and sends it. Null when nothing is claimable now. */
async function processBatch(ctx: Ctx): Promise<BatchOutcome | null> {
  if (ctx.signal?.aborted) return null;
  const claim = await claimBatch(ctx);
  if (!claim) return null;
  const { batch } = claim;
  const outcome = emptyOutcome(batch.key, claim.rows.length);
  outcome.kind = claim.rows[0]?.kind;

  // Who still gets it: checked before every attempt, whatever happened since the enqueue.
  const cancelled = await cancelUnwanted(ctx, claim.rows);
  outcome.cancelled = cancelled.size;
  let rows = claim.rows.filter((row) => !cancelled.has(row.id));

  // Too many attempts (leases kept running out on this batch: senders dying on it): give up.
  if (batch.attempts >= ctx.maxAttempts) {
    const reason = `gave up after ${batch.attempts} attempts`;
    outcome.failed += await markFailed(ctx, rows, reason, false);
    await settleBatch(ctx, batch, { status: 'FAILED', countAttempt: false, error: reason });
    log.warn('batch-failed', { batch: batch.id, rows: rows.length, reason });
    return outcome;
  }

  const rendered = await ctx.renderer.render(rows);
  for (const item of rendered) if ('error' in item) outcome.failed += await markFailed(ctx, [item.row], item.error.message, false);
  const ready = rendered.flatMap((item) => ('email' in item ? [{ row: item.row, email: item.email }] : []));
  rows = ready.map((item) => item.row);
  if (rows.length === 0) {
    await settleBatch(ctx, batch, { status: outcome.failed > 0 ? 'FAILED' : 'CANCELLED', countAttempt: false });
    return outcome;
  }
  const messages: OutgoingEmail[] = ready.map((item) => item.email);

  // Wait for a send slot; hand the batch back untouched if we are asked to stop meanwhile.
  const waitStarted = ctx.now().getTime();
  let slot: PacerSlot;
  try {
    slot = await ctx.limiter.take(ctx.signal);
  } catch (err) {
    if (!(err instanceof AbortedError)) throw err;
    outcome.retried += await retryLater(ctx, batch, rows, 0, 'released: sender stopping', false);
    return outcome;
  }
  if (ctx.now().getTime() - waitStarted > ctx.leaseMs / 4) await extendLease(ctx, batch);

  let result: BatchSendResult;
  try {
    result = await ctx.transport.sendBatch(messages, { idempotencyKey: batch.key });
  } catch (err) {
    // Transports report failures as results; a throw is a bug or an unexpected library error.
    result = { ok: false, retryable: true, error: `transport threw: ${err instanceof Error ? err.message : String(err)}` };
  }
  // Answered: the request reached the provider by now, so the pacer stops holding its worst case.
  await slot.done();
  outcome.requested = !isCircuitOpenFailure(result);

  if (result.ok || INVALID_IDEMPOTENT_REQUEST.test(result.error)) {
    // invalid_idempotent_request: the key is known to the provider with another body, i.e. an earlier
    // attempt of this batch (which held these emails and more) was accepted. Sending again would duplicate.
    const providerIds = result.ok ? result.providerIds : rows.map(() => null);
    outcome.sent += await markSent(ctx, rows, providerIds);
    await settleBatch(ctx, batch, { status: 'SENT', countAttempt: true });
    if (result.ok) log.info('batch-sent', { batch: batch.id, sent: rows.length, cancelled: outcome.cancelled });
    else log.warn('batch-accepted-earlier', { batch: batch.id, rows: rows.length });
    return outcome;
  }

  const facts = failureFacts({ ...result, circuitOpen: isCircuitOpenFailure(result) });
  if (!facts.retryable && !facts.circuitOpen) {
    const index = EMAIL_INDEX.exec(result.error);
    const culprit = index ? rows[Number(index[1])] : undefined;
    if (culprit) {
      // One email refused: the whole request was (strict validation), so the others go again at once.
      outcome.failed += await markFailed(ctx, [culprit], result.error, true);
      outcome.retried += await retryLater(ctx, batch, rows.filter((row) => row !== culprit), 0, result.error, false);
      return outcome;
    }
  }
  const decision = decideRetry(facts, batch.attempts + 1, ctx.random, { ...RETRY_DEFAULTS, maxAttempts: ctx.maxAttempts });
  if (decision.action === 'fail') {
    outcome.failed += await markFailed(ctx, rows, decision.reason, true);
    await settleBatch(ctx, batch, { status: 'FAILED', countAttempt: true, error: decision.reason });
    log.warn('batch-failed', { batch: batch.id, rows: rows.length, reason: decision.reason });
    return outcome;
  }
  if (facts.rateLimited) {
    // Nothing was sent. Every sender (the whole fleet, with the shared pacer) waits.
    outcome.rateLimited = true;
    await ctx.limiter.pauseFor(decision.delayMs);
  }
  outcome.retried += await retryLater(ctx, batch, rows, decision.delayMs, decision.reason, decision.countsAsAttempt);
  log.warn('batch-retry', { batch: batch.id, rows: rows.length, attempts: batch.attempts + 1, retryInMs: decision.delayMs, reason: result.error });
  return outcome;
}

export type PendingBatchedEmails = { pending: number; nextAt: Date | null };

/** Batched emails not finished yet (QUEUED, or SENDING in a batch), and when the next batch may be tried. */
export async function pendingBatchedEmails(db: PrismaClient = getDb()): Promise<PendingBatchedEmails> {
  const [pending, next] = await Promise.all([
    db.$queryRawUnsafe<{ n: number }[]>(
      // Through the unfinished batches (their index), then their emails (batch_id's).
      `SELECT count(*)::int AS n FROM outbox_batches b JOIN outbox_emails o ON o.batch_id = b.id
       WHERE b.status IN ('QUEUED', 'SENDING') AND o.status IN ('QUEUED', 'SENDING')`,
    ),
    db.$queryRawUnsafe<{ next_at: Date | null }[]>(
      `SELECT min(CASE WHEN status = 'QUEUED' THEN next_attempt_at ELSE lease_until END) AS next_at
       FROM outbox_batches WHERE status IN ('QUEUED', 'SENDING')`,
    ),
  ]);
  return { pending: Number(pending[0]?.n ?? 0), nextAt: next[0]?.next_at ?? null };
}

/** Hands back every batch this sender holds (on shutdown): retried by anyone, at once, no attempt counted. */
export async function releaseBatchClaims(workerId: string, db: PrismaClient = getDb(), now: Date = new Date()): Promise<number> {
  const [rows] = await db.$transaction([
    db.$executeRawUnsafe(
      `UPDATE outbox_emails SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = $1 AND status = 'SENDING' AND batch_id IS NOT NULL`,
      workerId,
    ),
    db.$executeRawUnsafe(
      `UPDATE outbox_batches SET status = 'QUEUED', claimed_by = NULL, lease_until = NULL, next_attempt_at = $1::timestamptz
       WHERE claimed_by = $2 AND status = 'SENDING'`,
      now,
      workerId,
    ),
  ]);
  return rows;
}

function emptyTotals(): SenderTotals {
  return { batches: 0, requests: 0, claimed: 0, sent: 0, cancelled: 0, failed: 0, retried: 0, rateLimited: 0 };
}

/**
 * Sends batches until nothing is left (or maxBatches, or the signal). `concurrency` lanes claim and
 * prepare batches in parallel; the pacer spaces their requests. Throws the first database error
 * after the other lanes finish their current batch (claims keep their lease and are taken over by
 * whoever comes next).
 */
export async function sendBatches(options: SenderOptions): Promise<SenderTotals> {
  const db = options.db ?? getDb();
  const ctx: Ctx = {
    db,
    transport: options.transport,
    workerId: options.workerId ?? defaultWorkerId(),
    now: options.now ?? (() => new Date()),
    limiter: options.limiter ?? sharedPacer(db),
    renderer: new BatchRenderer(options.templates),
    stillWanted: stillWantedSql(options.templates),
    outsideAudience: outsideAudienceSql(options.templates),
    batchId: options.batchId,
    signal: options.signal,
    leaseMs: options.leaseMs ?? SENDER_DEFAULTS.leaseMs,
    maxAttempts: options.maxAttempts ?? SENDER_DEFAULTS.maxAttempts,
    random: options.random ?? Math.random,
  };
  const sleep = options.sleep ?? abortableSleep;
  const totals = emptyTotals();
  const maxBatches = options.maxBatches ?? Number.POSITIVE_INFINITY;
  const waitForPendingMs = options.waitForPendingMs ?? 0;
  let started = 0;
  let stop = false;
  let failure: unknown;
  let lastProgress = Date.now();

  const lane = async () => {
    while (!stop && !ctx.signal?.aborted && started < maxBatches) {
      started += 1;
      let outcome: BatchOutcome | null;
      try {
        outcome = await processBatch(ctx);
      } catch (err) {
        failure ??= err;
        stop = true;
        return;
      }
      if (outcome === null) {
        started -= 1;
        if (waitForPendingMs <= 0) return;
        const { pending, nextAt } = await pendingBatchedEmails(ctx.db).catch((err: unknown) => {
          failure ??= err;
          stop = true;
          return { pending: 0, nextAt: null };
        });
        if (pending === 0 || Date.now() - lastProgress > waitForPendingMs) return;
        const untilNext = nextAt ? nextAt.getTime() - ctx.now().getTime() : 1_000;
        try {
          await sleep(Math.min(1_000, Math.max(50, untilNext + 10)), ctx.signal);
        } catch {
          return; // aborted
        }
        continue;
      }
      lastProgress = Date.now();
      totals.batches += 1;
      totals.requests += outcome.requested ? 1 : 0;
      totals.claimed += outcome.claimed;
      totals.sent += outcome.sent;
      totals.cancelled += outcome.cancelled;
      totals.failed += outcome.failed;
      totals.retried += outcome.retried;
      totals.rateLimited += outcome.rateLimited ? 1 : 0;
      options.onBatch?.(outcome, { ...totals });
      countBatchOutcome(outcome);
    }
  };
  const lanes = Math.max(1, options.concurrency ?? SENDER_DEFAULTS.concurrency);
  await Promise.all(Array.from({ length: lanes }, lane));
  if (failure) throw failure;
  await options.onDrained?.(ctx.db, ctx.now());
  return totals;
}
