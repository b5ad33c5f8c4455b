// Over 300 lines on purpose: the claim, the send and each outcome of a row share one lease, read best in one place.
import { isCircuitOpenFailure, type EmailTransport, type SendResult } from '../email';
import { getDb } from '../db';
import { env, type Env } from '../env';
import { Prisma, type OutboxKind, type PrismaClient } from '../generated/prisma/client';
import { log } from './log';
import { countOutboxRowFinish } from '../metrics/registry';
import { decideRetry, failureFacts, RETRY_DEFAULTS } from './retry-policy';
import { buildOutgoingEmail, UnsendableOutboxRowError, withoutSecrets, type OutboxTemplates } from './templates';
import { defaultWorkerId } from './worker-id';
import { sharedPacer } from './pacer-default';
import type { Pacer, PacerSlot } from './pacing';
import { AbortedError } from './sleep';

export { defaultWorkerId };

/**
 * One email per provider request (confirmation, welcome, data link): rows written next to the
 * subscriber change are sent here, by the loop in the server process (lib/outbox/worker.ts),
 * by the scheduler route, and right after a signup commits (lib/newsletter/immediate.ts).
 *
 * Claiming: ONE statement, `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n)
 * RETURNING …`, takes rows that are QUEUED and due, or SENDING with an expired lease (their worker
 * died), and marks them SENDING with this worker's id and a lease (`lease_until`; the retry time is
 * `next_attempt_at`, a separate column). Attempts only go up: taking over a dead worker's claim
 * counts one, a send the provider answered counts one; an open circuit or a stop count nothing. Concurrent workers skip rows
 * another one holds, and a row claimed a moment ago no longer matches, so no row is claimed twice.
 * Sending: the row id is the Idempotency-Key, so even a send repeated after a lost answer or an
 * expired lease is delivered once. Results are written only while the claim is still ours.
 * Every request takes a slot from the same pacing as the batches (by default the bucket all
 * instances share, lib/outbox/pacing.ts): the provider's limit counts every request, so a burst of
 * signups during an announcement must wait for slots, not cause 429s.
 */

export const OUTBOX_DEFAULTS = {
  batchSize: 10,
  /** Sends in flight at once within a batch. */
  concurrency: 4,
  /** How long a claim lasts. Far above a send's 10 s timeout times the rounds a batch needs
   * (batchSize / concurrency), so a live worker never loses its rows; a dead one's come back after it. */
  leaseMs: 2 * 60_000,
  /** After this many attempts a row is FAILED (lib/outbox/retry-policy.ts decides). */
  maxAttempts: RETRY_DEFAULTS.maxAttempts,
  backoffBaseMs: RETRY_DEFAULTS.backoffBaseMs,
} as const;

/**
 * The kinds sent here, one request per row. ANNOUNCEMENT and DIGEST rows go out in provider batches
 * of up to 100 (lib/outbox/batches.ts, run by the same worker step), which keep their own claims.
 */
export const PER_ROW_KINDS: OutboxKind[] = ['CONFIRMATION', 'WELCOME', 'DATA_LINK'];

/** How long a claim on a row lasts: OUTBOX_LEASE_SECONDS when set, else OUTBOX_DEFAULTS.leaseMs. */
export function outboxLeaseMs(e: Pick<Env, 'OUTBOX_LEASE_SECONDS'> = env): number {
  return e.OUTBOX_LEASE_SECONDS === undefined ? OUTBOX_DEFAULTS.leaseMs : e.OUTBOX_LEASE_SECONDS * 1000;
}

export type OutboxOutcome = 'sent' | 'retried' | 'failed' | 'cancelled' | 'released';

export type OutboxBatchResult = { claimed: number } & Record<OutboxOutcome, number>;

export type OutboxBatchOptions = {
  /** Who holds the claims (host:pid:random for the loop); stored in claimed_by. */
  workerId: string;
  limit?: number;
  transport: EmailTransport;
  /** Clock (a function, or a fixed Date); every time comparison uses it, not the database's now(),
   * so tests can step time. */
  now?: Date | (() => Date);
  db?: PrismaClient;
  /** How each kind renders and who may still get it (lib/sending.ts: the app's templates). */
  templates: OutboxTemplates;
  leaseMs?: number;
  concurrency?: number;
  maxAttempts?: number;
  /** Aborted: rows not yet sent are released (no attempt counted) instead of sent. */
  signal?: AbortSignal;
  /** For the backoff jitter; [0, 1). */
  random?: () => number;
  /** Default: the pacing every instance shares, in Postgres (sharedPacer()), as batches.ts uses. */
  limiter?: Pacer;
};

/** An outbox row as a sender claims it (one email; batches.ts claims the same shape). */
export type ClaimedRow = {
  id: string;
  kind: OutboxKind;
  subscriberId: string | null;
  toAddress: string;
  payload: unknown;
  attempts: number;
};

function emptyResult(): OutboxBatchResult {
  return { claimed: 0, sent: 0, retried: 0, failed: 0, cancelled: 0, released: 0 };
}

async function claimRows(
  db: PrismaClient,
  options: { workerId: string; now: Date; leaseMs: number; limit: number; id?: string },
): Promise<ClaimedRow[]> {
  const leaseUntil = new Date(options.now.getTime() + options.leaseMs);
  const onlyId = options.id === undefined ? Prisma.empty : Prisma.sql`AND id = ${options.id}::uuid`;
  const rows = await db.$queryRaw<ClaimedRow[]>`
    UPDATE outbox_emails AS o
    SET status = 'SENDING', claimed_by = ${options.workerId}, lease_until = ${leaseUntil}::timestamptz,
        attempts = o.attempts + CASE WHEN o.status = 'SENDING' THEN 1 ELSE 0 END
    WHERE o.id IN (
      SELECT id FROM outbox_emails
      WHERE kind = ANY(${PER_ROW_KINDS}::outbox_kind[]) AND batch_id IS NULL -- the partial claim index
        AND ((status = 'QUEUED' AND next_attempt_at <= ${options.now}::timestamptz)
          OR (status = 'SENDING' AND lease_until < ${options.now}::timestamptz))
        ${onlyId}
      ORDER BY next_attempt_at, created_at
      LIMIT ${options.limit}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING o.id::text AS id, o.kind::text AS kind, o.subscriber_id::text AS "subscriberId",
              o.to_address AS "toAddress", o.payload, o.attempts`;
  return rows.map((row) => ({ ...row, attempts: Number(row.attempts) }));
}

type Ctx = Required<Omit<OutboxBatchOptions, 'signal' | 'limit' | 'db' | 'now' | 'limiter'>> & {
  limiter: Pacer;
  now: () => Date;
  db: PrismaClient;
  signal: AbortSignal | undefined;
};

/** Writes a row's outcome if this worker still holds its claim. Returns whether it did. */
async function finish(ctx: Ctx, row: ClaimedRow, data: Prisma.OutboxEmailUpdateManyMutationInput): Promise<boolean> {
  const { count } = await ctx.db.outboxEmail.updateMany({
    where: { id: row.id, status: 'SENDING', claimedBy: ctx.workerId },
    data: { ...data, claimedBy: null, leaseUntil: null },
  });
  if (count === 0) log.warn('outbox-claim-lost', { id: row.id, kind: row.kind });
  if (count === 1) countOutboxRowFinish(row.kind, data);
  return count === 1;
}

/** Renews this worker's claim on a row it still holds. Returns whether it did. */
async function extendLease(ctx: Ctx, row: ClaimedRow): Promise<boolean> {
  const { count } = await ctx.db.outboxEmail.updateMany({
    where: { id: row.id, status: 'SENDING', claimedBy: ctx.workerId },
    data: { leaseUntil: new Date(ctx.now().getTime() + ctx.leaseMs) },
  });
  return count === 1;
}

const terminalPayload = (row: ClaimedRow) => withoutSecrets(row.payload) as Prisma.InputJsonValue;

/** Hands a claimed row back untouched: QUEUED again, no attempt counted (the provider never saw it). */
async function release(ctx: Ctx, row: ClaimedRow, delayMs: number, reason: string): Promise<OutboxOutcome> {
  await finish(ctx, row, {
    status: 'QUEUED',
    nextAttemptAt: new Date(ctx.now().getTime() + delayMs),
    lastError: reason,
  });
  return 'released';
}

async function fail(ctx: Ctx, row: ClaimedRow, error: string, providerAnswered: boolean): Promise<OutboxOutcome> {
  log.warn('outbox-failed', { id: row.id, kind: row.kind, attempts: row.attempts, reason: error });
  await finish(ctx, row, {
    status: 'FAILED',
    lastError: error.slice(0, 1000),
    payload: terminalPayload(row),
    ...(providerAnswered ? { attempts: { increment: 1 } } : {}),
  });
  return 'failed';
}

/** Whether this email may and should still go out; otherwise the row is CANCELLED. */
async function stillWanted(ctx: Ctx, row: ClaimedRow): Promise<{ wanted: true } | { wanted: false; why: string }> {
  // Checked here, right before the provider call, whatever queued the row and whenever: an address
  // that hard-bounced or complained never gets another email.
  const suppressed = await ctx.db.suppression.findUnique({ where: { email: row.toAddress }, select: { id: true } });
  if (suppressed) return { wanted: false, why: 'address suppressed' };
  if (!row.subscriberId) return { wanted: false, why: 'subscriber deleted' };
  const subscriber = await ctx.db.subscriber.findUnique({ where: { id: row.subscriberId }, select: { status: true } });
  if (!subscriber) return { wanted: false, why: 'subscriber deleted' };
  // The template says who it is for (a data link: anyone; a confirmation: the pending; the rest:
  // confirmed subscribers, so an unsubscribe since enqueueing wins). No template: rendering fails it.
  const audience = ctx.templates.byKind[row.kind]?.audience ?? 'anyone';
  if (audience === 'anyone') return { wanted: true };
  const needed = audience === 'pending' ? 'PENDING' : 'CONFIRMED';
  return subscriber.status === needed ? { wanted: true } : { wanted: false, why: `subscriber is ${subscriber.status}` };
}

async function processRow(ctx: Ctx, row: ClaimedRow): Promise<OutboxOutcome> {
  if (ctx.signal?.aborted) return release(ctx, row, 0, 'released: worker stopping');

  const gate = await stillWanted(ctx, row);
  if (!gate.wanted) {
    await finish(ctx, row, { status: 'CANCELLED', lastError: `cancelled: ${gate.why}`, payload: terminalPayload(row) });
    return 'cancelled';
  }
  // Only possible when leases keep expiring on this row (workers dying mid-send).
  if (row.attempts >= ctx.maxAttempts) return fail(ctx, row, `gave up after ${row.attempts} attempts`, false);

  let message;
  try {
    message = await buildOutgoingEmail(row, ctx.templates);
  } catch (err) {
    if (err instanceof UnsendableOutboxRowError) return fail(ctx, row, err.message, false);
    throw err;
  }

  // A send slot, shared with the batches and the other instances; stopping meanwhile hands the row back.
  const waitStarted = Date.now();
  let slot: PacerSlot;
  try {
    slot = await ctx.limiter.take(ctx.signal);
  } catch (err) {
    if (err instanceof AbortedError) return release(ctx, row, 0, 'released: worker stopping');
    throw err;
  }
  // A long wait (a busy announcement, a fleet-wide pause): renew the claim, or leave the row to whoever took it.
  if (Date.now() - waitStarted > ctx.leaseMs / 4 && !(await extendLease(ctx, row))) {
    await slot.done();
    log.warn('outbox-claim-lost', { id: row.id, kind: row.kind });
    return 'released';
  }
  let result: SendResult;
  try {
    result = await ctx.transport.send(message, { idempotencyKey: row.id });
  } catch (err) {
    // Transports report failures as results; a throw is a bug or an unexpected library error.
    result = { ok: false, retryable: true, error: `transport threw: ${err instanceof Error ? err.message : String(err)}` };
  }
  // Answered: the request reached the provider by now, so the pacer stops holding its worst case.
  await slot.done();

  if (result.ok) {
    await finish(ctx, row, {
      status: 'SENT',
      sentAt: ctx.now(),
      providerMessageId: result.providerId,
      lastError: null,
      payload: terminalPayload(row),
      attempts: { increment: 1 },
    });
    log.info('outbox-sent', { id: row.id, kind: row.kind, attempts: row.attempts + 1 });
    return 'sent';
  }
  const facts = failureFacts({ ...result, circuitOpen: isCircuitOpenFailure(result) });
  const decision = decideRetry(facts, row.attempts + 1, ctx.random, { ...RETRY_DEFAULTS, maxAttempts: ctx.maxAttempts });
  if (decision.action === 'fail') return fail(ctx, row, decision.reason, true);
  // Nothing was sent; every sender (the whole fleet, with the shared pacer) waits out the Retry-After.
  if (facts.rateLimited) await ctx.limiter.pauseFor(decision.delayMs);
  // An open circuit or a 429: the provider took nothing; hand the row back, no attempt counted.
  if (!decision.countsAsAttempt) {
    if (facts.rateLimited) log.warn('outbox-retry', { id: row.id, kind: row.kind, attempts: row.attempts, retryInMs: decision.delayMs, reason: result.error });
    return release(ctx, row, decision.delayMs, decision.reason);
  }

  await finish(ctx, row, {
    status: 'QUEUED',
    nextAttemptAt: new Date(ctx.now().getTime() + decision.delayMs),
    lastError: result.error.slice(0, 1000),
    attempts: { increment: 1 },
  });
  log.warn('outbox-retry', { id: row.id, kind: row.kind, attempts: row.attempts + 1, retryInMs: decision.delayMs, reason: result.error });
  return 'retried';
}

function clockOf(now: OutboxBatchOptions['now']): () => Date {
  if (typeof now === 'function') return now;
  if (now instanceof Date) return () => new Date(now.getTime());
  return () => new Date();
}

function context(options: OutboxBatchOptions): Ctx {
  const db = options.db ?? getDb();
  return {
    workerId: options.workerId,
    transport: options.transport,
    now: clockOf(options.now),
    db,
    limiter: options.limiter ?? sharedPacer(db),
    templates: options.templates,
    leaseMs: options.leaseMs ?? outboxLeaseMs(),
    concurrency: Math.max(1, options.concurrency ?? OUTBOX_DEFAULTS.concurrency),
    maxAttempts: options.maxAttempts ?? OUTBOX_DEFAULTS.maxAttempts,
    signal: options.signal,
    random: options.random ?? Math.random,
  };
}

async function processClaimed(ctx: Ctx, rows: ClaimedRow[]): Promise<OutboxBatchResult> {
  const result = emptyResult();
  result.claimed = rows.length;
  let next = 0;
  const lane = async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      try {
        result[await processRow(ctx, row)] += 1;
      } catch (err) {
        // Most likely the database went away mid-batch: the row keeps its claim, and once the lease
        // expires a worker sends it again under the same Idempotency-Key (delivered once).
        log.error('outbox-row-error', { id: row.id, kind: row.kind, err });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ctx.concurrency, rows.length) }, lane));
  return result;
}

/** Claims up to `limit` due rows and sends them. Throws only if the claim itself fails. */
export async function processOutboxBatch(options: OutboxBatchOptions): Promise<OutboxBatchResult> {
  const ctx = context(options);
  if (ctx.signal?.aborted) return emptyResult();
  const rows = await claimRows(ctx.db, {
    workerId: ctx.workerId,
    now: ctx.now(),
    leaseMs: ctx.leaseMs,
    limit: Math.max(1, options.limit ?? OUTBOX_DEFAULTS.batchSize),
  });
  return processClaimed(ctx, rows);
}

/**
 * Sends one row now (right after the signup's commit), if it is due and nobody holds it.
 * Returns its outcome, or 'not-claimed' when another worker has it or it is not due.
 */
export async function sendOutboxEmail(
  id: string,
  options: Omit<OutboxBatchOptions, 'limit' | 'workerId'> & { workerId?: string },
): Promise<OutboxOutcome | 'not-claimed'> {
  const ctx = context({ ...options, workerId: options.workerId ?? `immediate:${defaultWorkerId()}` });
  const rows = await claimRows(ctx.db, { workerId: ctx.workerId, now: ctx.now(), leaseMs: ctx.leaseMs, limit: 1, id });
  const row = rows[0];
  if (!row) return 'not-claimed';
  // A throw here (database gone mid-send) leaves the claim to expire; the worker retries the row.
  return processRow(ctx, row);
}

/**
 * Hands every row this worker still holds back to the queue (on shutdown). Returns how many.
 * Rows in a provider batch stay in it: lib/outbox/batches.ts releaseBatchClaims() hands those back.
 * No attempt is handed back: claiming does not count one (only a taken-over lease or an answer does).
 */
export async function releaseClaims(workerId: string, db: PrismaClient = getDb()): Promise<number> {
  return db.$executeRaw`
    UPDATE outbox_emails
    SET status = 'QUEUED', claimed_by = NULL, lease_until = NULL
    WHERE claimed_by = ${workerId} AND status = 'SENDING' AND batch_id IS NULL`;
}
