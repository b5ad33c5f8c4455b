// Over 300 lines on purpose: claiming, sending and settling a batch share one row shape and one set of invariants, read best in one place.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { backoffDelayMs, isCircuitOpenFailure, type BatchEmailTransport, type BatchSendResult, type OutgoingEmail } from '../email';
import { getDb } from '../db';
import type { OutboxKind, PrismaClient } from '../generated/prisma/client';
import { log } from './log';
import { AbortedError, abortableSleep, TokenBucket } from './pacer';
import { BatchRenderer } from './render';
import { processSingleton } from '../process-singleton';

/**
 * Sends ANNOUNCEMENT and DIGEST outbox rows through the provider's batch endpoint, 100 per request
 * under an Idempotency-Key fixed at the first claim (so a retry after a crash is delivered once),
 * paced by lib/announce/pacer.ts. The failure cases and why each ends in exactly one email:
 * docs/ARCHITECTURE.md, "The newsletter and the outbox", and the comments at each branch below.
 */

export const BATCH_KINDS = ['DIGEST', 'ANNOUNCEMENT'] as const satisfies readonly OutboxKind[];

export const SENDER_DEFAULTS = {
  /** Resend's maximum per POST /emails/batch. */
  batchSize: 100,
  /** Resend's default limit per team. */
  requestsPerSecond: 2,
  /** Batches being prepared or sent at once: one waits for its token while the other is in flight. */
  concurrency: 2,
  /** How long a claimed batch is ours. Far above a send's 10 s timeout plus the wait for a token. */
  leaseMs: 2 * 60_000,
  maxAttempts: 10,
  backoffBaseMs: 10_000,
  backoffCapMs: 60 * 60_000,
  minRetryDelayMs: 1_000,
  circuitOpenDelayMs: 5_000,
} as const;

export type BatchOutcome = {
  key: string;
  /** Rows in the batch when it was claimed this time. */
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
  /** Key for the unsubscribe links; default NEWSLETTER_SECRET (or the development key). */
  secret?: string;
  /** Clock for leases and retry times (tests step it). */
  now?: () => Date;
  /** Default: the process-wide bucket at 2 requests per second (sharedBatchLimiter()). */
  limiter?: TokenBucket;
  /** Aborted: nothing new starts, a batch not yet sent is handed back, one in flight finishes. */
  signal?: AbortSignal;
  concurrency?: number;
  /** Stop after this many batches (the worker's step). Default: until nothing is left. */
  maxBatches?: number;
  /**
   * When nothing is claimable but rows are still waiting (a retry not due yet, a batch another
   * sender holds), keep polling up to this long without progress. Default 0: stop at once.
   */
  waitForPendingMs?: number;
  batchSize?: number;
  leaseMs?: number;
  maxAttempts?: number;
  random?: () => number;
  /** Sleep used while waiting for pending rows (tests may shorten it). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onBatch?: (outcome: BatchOutcome, totals: SenderTotals) => void;
};

type Row = {
  id: string;
  kind: OutboxKind;
  subscriberId: string | null;
  toAddress: string;
  payload: unknown;
  attempts: number;
  batchKey: string;
};

type Ctx = {
  db: PrismaClient;
  transport: BatchEmailTransport;
  workerId: string;
  now: () => Date;
  limiter: TokenBucket;
  renderer: BatchRenderer;
  signal: AbortSignal | undefined;
  batchSize: number;
  leaseMs: number;
  maxAttempts: number;
  random: () => number;
};

export function defaultSenderId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** The process-wide bucket: the worker and every route of the process share one pace. */
export function sharedBatchLimiter(): TokenBucket {
  return processSingleton('announce.pacer', () => new TokenBucket({ requestsPerSecond: SENDER_DEFAULTS.requestsPerSecond }));
}

const RETURNING = `o.id::text AS id, o.kind::text AS kind, o.subscriber_id::text AS "subscriberId", o.to_address AS "toAddress",
  o.payload, o.attempts, o.batch_key AS "batchKey"`;

function normalize(rows: Row[]): Row[] {
  // Sorted by id: a retried batch must list its emails in the same order to have the same body.
  return rows.map((row) => ({ ...row, attempts: Number(row.attempts) })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * A batch whose claim ran out (its sender died, or it is waiting for a retry that is now due),
 * taken again as a whole. The advisory lock on its key lets only one sender pick it; the repeated
 * condition in the UPDATE makes a sender that read a stale snapshot take nothing.
 */
async function reclaimBatch(ctx: Ctx): Promise<Row[]> {
  const now = ctx.now();
  const lease = new Date(now.getTime() + ctx.leaseMs);
  const rows = await ctx.db.$queryRawUnsafe<Row[]>(
    `WITH pick AS (
       SELECT batch_key FROM outbox_emails
       WHERE kind = ANY($1::outbox_kind[]) AND status = 'SENDING'
         AND CASE WHEN claimed_until < $2::timestamptz AND batch_key IS NOT NULL
                  THEN pg_try_advisory_xact_lock(hashtextextended('announce-batch:' || batch_key, 0))
                  ELSE false END
       LIMIT 1
     )
     UPDATE outbox_emails AS o
     SET claimed_by = $3, claimed_until = $4::timestamptz, attempts = o.attempts + 1
     FROM pick
     WHERE o.batch_key = pick.batch_key AND o.status = 'SENDING' AND o.claimed_until < $2::timestamptz
     RETURNING ${RETURNING}`,
    BATCH_KINDS,
    now,
    ctx.workerId,
    lease,
  );
  return normalize(rows);
}

/** Up to batchSize due rows of one kind that were never in a batch, made into a new batch. */
async function claimNewBatch(ctx: Ctx, kind: OutboxKind): Promise<Row[]> {
  const now = ctx.now();
  const lease = new Date(now.getTime() + ctx.leaseMs);
  const rows = await ctx.db.$queryRawUnsafe<Row[]>(
    `WITH picked AS (
       SELECT id FROM outbox_emails
       WHERE kind = $1::outbox_kind AND status = 'QUEUED' AND next_attempt_at <= $2::timestamptz AND batch_key IS NULL
       ORDER BY next_attempt_at, created_at
       LIMIT $3
       FOR UPDATE SKIP LOCKED
     ), batch AS (
       SELECT 'announce-batch/' || encode(sha256(convert_to(string_agg(id::text, ',' ORDER BY id), 'UTF8')), 'hex') AS key
       FROM picked
     )
     UPDATE outbox_emails AS o
     SET status = 'SENDING', batch_key = batch.key, claimed_by = $4, claimed_until = $5::timestamptz, attempts = o.attempts + 1
     FROM picked, batch
     WHERE o.id = picked.id
     RETURNING ${RETURNING}`,
    kind,
    now,
    ctx.batchSize,
    ctx.workerId,
    lease,
  );
  return normalize(rows);
}

async function claimBatch(ctx: Ctx): Promise<Row[]> {
  const again = await reclaimBatch(ctx);
  if (again.length > 0) return again;
  for (const kind of BATCH_KINDS) {
    const rows = await claimNewBatch(ctx, kind);
    if (rows.length > 0) return rows;
  }
  return [];
}

/** Rows whose subscriber unsubscribed, was deleted or is suppressed: CANCELLED (while still ours). */
async function cancelUnwanted(ctx: Ctx, rows: Row[]): Promise<Set<string>> {
  const ids = rows.map((row) => row.id);
  const cancelled = await ctx.db.$queryRawUnsafe<{ id: string }[]>(
    `WITH unwanted AS (
       SELECT o.id,
              CASE WHEN s.id IS NULL THEN 'subscriber deleted'
                   WHEN s.status <> 'CONFIRMED' THEN 'subscriber is ' || s.status::text
                   ELSE 'address suppressed' END AS why
       FROM outbox_emails o LEFT JOIN subscribers s ON s.id = o.subscriber_id
       WHERE o.id = ANY($1::uuid[])
         AND (s.id IS NULL OR s.status <> 'CONFIRMED' OR EXISTS (SELECT 1 FROM suppressions x WHERE x.email = o.to_address))
     )
     UPDATE outbox_emails AS o
     SET status = 'CANCELLED', claimed_by = NULL, claimed_until = NULL, last_error = 'cancelled: ' || unwanted.why
     FROM unwanted
     WHERE o.id = unwanted.id AND o.status = 'SENDING' AND o.claimed_by = $2
     RETURNING o.id::text AS id`,
    ids,
    ctx.workerId,
  );
  return new Set(cancelled.map((row) => row.id));
}

async function markSent(ctx: Ctx, rows: Row[], providerIds: (string | null)[]): Promise<number> {
  if (rows.length === 0) return 0;
  return ctx.db.$executeRawUnsafe(
    `UPDATE outbox_emails AS o
     SET status = 'SENT', sent_at = $1::timestamptz, provider_message_id = v.pid, claimed_by = NULL, claimed_until = NULL, last_error = NULL
     FROM unnest($2::uuid[], $3::text[]) AS v(id, pid)
     WHERE o.id = v.id AND o.status = 'SENDING' AND o.claimed_by = $4`,
    ctx.now(),
    rows.map((row) => row.id),
    providerIds,
    ctx.workerId,
  );
}

async function markFailed(ctx: Ctx, rows: Row[], error: string): Promise<number> {
  if (rows.length === 0) return 0;
  log.warn('announce-failed', { batch: rows[0]!.batchKey, rows: rows.length, reason: error });
  return ctx.db.$executeRawUnsafe(
    `UPDATE outbox_emails SET status = 'FAILED', claimed_by = NULL, claimed_until = NULL, last_error = $1
     WHERE id = ANY($2::uuid[]) AND status = 'SENDING' AND claimed_by = $3`,
    error.slice(0, 1000),
    rows.map((row) => row.id),
    ctx.workerId,
  );
}

/**
 * Hands the rows back, still in their batch (SENDING, no owner): a sender takes the batch again
 * once `claimed_until` (now + delayMs) has passed. `countAttempt: false` gives the attempt back.
 */
async function releaseRows(ctx: Ctx, rows: Row[], delayMs: number, reason: string, countAttempt: boolean): Promise<number> {
  if (rows.length === 0) return 0;
  return ctx.db.$executeRawUnsafe(
    `UPDATE outbox_emails
     SET claimed_by = NULL, claimed_until = $1::timestamptz, last_error = $2,
         attempts = CASE WHEN $3 THEN attempts ELSE GREATEST(attempts - 1, 0) END
     WHERE id = ANY($4::uuid[]) AND status = 'SENDING' AND claimed_by = $5`,
    new Date(ctx.now().getTime() + Math.max(0, delayMs)),
    reason.slice(0, 1000),
    countAttempt,
    rows.map((row) => row.id),
    ctx.workerId,
  );
}

async function extendLease(ctx: Ctx, rows: Row[]): Promise<void> {
  await ctx.db.$executeRawUnsafe(
    `UPDATE outbox_emails SET claimed_until = $1::timestamptz WHERE id = ANY($2::uuid[]) AND status = 'SENDING' AND claimed_by = $3`,
    new Date(ctx.now().getTime() + ctx.leaseMs),
    rows.map((row) => row.id),
    ctx.workerId,
  );
}

const INVALID_IDEMPOTENT_REQUEST = /\binvalid_idempotent_request\b/;
const EMAIL_INDEX = /\bemails\[(\d+)\]/;
// classifyResendError describes failures as "Resend <status> <name>: <message>".
const RATE_LIMITED = /\b429\b|rate_limit_exceeded/;

function emptyOutcome(key: string, claimed: number): BatchOutcome {
  return { key, claimed, sent: 0, cancelled: 0, failed: 0, retried: 0, requested: false, rateLimited: false };
}

/** Claims one batch and sends it. Null when nothing is claimable now. */
async function processAnnouncementBatch(ctx: Ctx): Promise<BatchOutcome | null> {
  if (ctx.signal?.aborted) return null;
  const claimed = await claimBatch(ctx);
  if (claimed.length === 0) return null;
  const key = claimed[0]!.batchKey;
  const outcome = emptyOutcome(key, claimed.length);

  // Who still gets it: checked before every attempt, whatever happened since the enqueue.
  const cancelled = await cancelUnwanted(ctx, claimed);
  outcome.cancelled = cancelled.size;
  let rows = claimed.filter((row) => !cancelled.has(row.id));

  // Too many attempts (leases kept running out on this batch): give up on it.
  const exhausted = rows.filter((row) => row.attempts > ctx.maxAttempts);
  if (exhausted.length > 0) {
    outcome.failed += await markFailed(ctx, exhausted, `gave up after ${ctx.maxAttempts} attempts`);
    rows = rows.filter((row) => row.attempts <= ctx.maxAttempts);
  }

  const rendered = await ctx.renderer.render(rows);
  const unsendable = rendered.flatMap((item) => ('error' in item ? [item] : []));
  for (const item of unsendable) outcome.failed += await markFailed(ctx, [item.row], item.error.message);
  const ready = rendered.flatMap((item) => ('email' in item ? [{ row: item.row, email: item.email }] : []));
  rows = ready.map((item) => item.row);
  if (rows.length === 0) return outcome;
  const messages: OutgoingEmail[] = ready.map((item) => item.email);

  // Wait for a token; hand the batch back untouched if we are asked to stop meanwhile.
  const waitStarted = ctx.now().getTime();
  try {
    await ctx.limiter.take(ctx.signal);
  } catch (err) {
    if (!(err instanceof AbortedError)) throw err;
    outcome.retried += await releaseRows(ctx, rows, 0, 'released: sender stopping', false);
    return outcome;
  }
  if (ctx.now().getTime() - waitStarted > ctx.leaseMs / 4) await extendLease(ctx, rows);

  let result: BatchSendResult;
  try {
    result = await ctx.transport.sendBatch(messages, { idempotencyKey: key });
  } catch (err) {
    // Transports report failures as results; a throw is a bug or an unexpected library error.
    result = { ok: false, retryable: true, error: `transport threw: ${err instanceof Error ? err.message : String(err)}` };
  }
  outcome.requested = !isCircuitOpenFailure(result);

  if (result.ok) {
    outcome.sent += await markSent(ctx, rows, result.providerIds);
    log.info('announce-batch-sent', { batch: key, sent: rows.length, cancelled: outcome.cancelled });
    return outcome;
  }
  if (INVALID_IDEMPOTENT_REQUEST.test(result.error)) {
    // The key is known to the provider with another body: an earlier attempt of this batch, which
    // held these rows and more, was accepted. Its emails went out; sending again would duplicate them.
    outcome.sent += await markSent(ctx, rows, rows.map(() => null));
    log.warn('announce-batch-accepted-earlier', { batch: key, rows: rows.length });
    return outcome;
  }
  if (isCircuitOpenFailure(result)) {
    const waitMs = Math.max(SENDER_DEFAULTS.minRetryDelayMs, result.retryAfterMs ?? SENDER_DEFAULTS.circuitOpenDelayMs);
    outcome.retried += await releaseRows(ctx, rows, waitMs + Math.floor(ctx.random() * 1_000), result.error, false);
    return outcome;
  }
  if (result.retryable && RATE_LIMITED.test(result.error)) {
    // Rate limited: nothing was sent. Every sender in this process waits; this batch goes first after.
    const waitMs = result.retryAfterMs ?? SENDER_DEFAULTS.minRetryDelayMs;
    outcome.rateLimited = true;
    ctx.limiter.pauseFor(waitMs);
    outcome.retried += await releaseRows(ctx, rows, waitMs, result.error, false);
    log.warn('announce-rate-limited', { batch: key, retryAfterMs: waitMs });
    return outcome;
  }
  if (!result.retryable) {
    const index = EMAIL_INDEX.exec(result.error);
    const culprit = index ? rows[Number(index[1])] : undefined;
    if (culprit) {
      // One email refused: the whole request was (strict validation), so the others go again at once.
      outcome.failed += await markFailed(ctx, [culprit], result.error);
      outcome.retried += await releaseRows(ctx, rows.filter((row) => row !== culprit), 0, result.error, false);
      return outcome;
    }
    outcome.failed += await markFailed(ctx, rows, result.error);
    return outcome;
  }
  const attempts = Math.max(...rows.map((row) => row.attempts));
  if (attempts >= ctx.maxAttempts) {
    outcome.failed += await markFailed(ctx, rows, `gave up after ${attempts} attempts: ${result.error}`);
    return outcome;
  }
  const delayMs = Math.max(
    SENDER_DEFAULTS.minRetryDelayMs,
    backoffDelayMs({
      attempt: Math.max(0, attempts - 1),
      baseMs: SENDER_DEFAULTS.backoffBaseMs,
      capMs: SENDER_DEFAULTS.backoffCapMs,
      retryAfterMs: result.retryAfterMs,
      random: ctx.random,
    }),
  );
  outcome.retried += await releaseRows(ctx, rows, delayMs, result.error, true);
  log.warn('announce-batch-retry', { batch: key, rows: rows.length, attempts, retryInMs: delayMs, reason: result.error });
  return outcome;
}

export type PendingAnnouncements = { pending: number; nextAt: Date | null };

/** Announcement emails not finished yet (QUEUED, or SENDING in a batch), and when the next may be tried. */
export async function pendingAnnouncementEmails(db: PrismaClient = getDb()): Promise<PendingAnnouncements> {
  const rows = await db.$queryRawUnsafe<{ pending: number; next_at: Date | null }[]>(
    `SELECT count(*)::int AS pending,
            min(CASE WHEN status = 'QUEUED' THEN next_attempt_at ELSE claimed_until END) AS next_at
     FROM outbox_emails WHERE kind = ANY($1::outbox_kind[]) AND status IN ('QUEUED', 'SENDING')`,
    BATCH_KINDS,
  );
  return { pending: Number(rows[0]?.pending ?? 0), nextAt: rows[0]?.next_at ?? null };
}

/** Marks announcements COMPLETED once no announcement email is left to send. Returns how many. */
export async function completeAnnouncements(db: PrismaClient = getDb(), now: Date = new Date()): Promise<number> {
  return db.$executeRawUnsafe(
    `UPDATE announcements SET status = 'COMPLETED', completed_at = $1::timestamptz
     WHERE status = 'SENDING'
       AND NOT EXISTS (SELECT 1 FROM outbox_emails WHERE kind = ANY($2::outbox_kind[]) AND status IN ('QUEUED', 'SENDING'))`,
    now,
    BATCH_KINDS,
  );
}

/** Hands back every batch this sender holds (on shutdown): retried by anyone, at once, attempt not counted. */
export async function releaseBatchClaims(workerId: string, db: PrismaClient = getDb(), now: Date = new Date()): Promise<number> {
  return db.$executeRawUnsafe(
    `UPDATE outbox_emails SET claimed_by = NULL, claimed_until = $1::timestamptz, attempts = GREATEST(attempts - 1, 0)
     WHERE claimed_by = $2 AND status = 'SENDING' AND batch_key IS NOT NULL`,
    now,
    workerId,
  );
}

function emptyTotals(): SenderTotals {
  return { batches: 0, requests: 0, claimed: 0, sent: 0, cancelled: 0, failed: 0, retried: 0, rateLimited: 0 };
}

/**
 * Sends announcement batches until nothing is left (or maxBatches, or the signal). `concurrency`
 * lanes claim and prepare batches in parallel; the token bucket spaces their requests. Throws the
 * first database error after the other lanes finish their current batch (claims keep their
 * lease and are retried by whoever comes next).
 */
export async function sendAnnouncementBatches(options: SenderOptions): Promise<SenderTotals> {
  const secret = options.secret ?? (await import('../newsletter/config')).requireNewsletterSecret();
  const ctx: Ctx = {
    db: options.db ?? getDb(),
    transport: options.transport,
    workerId: options.workerId ?? defaultSenderId(),
    now: options.now ?? (() => new Date()),
    limiter: options.limiter ?? sharedBatchLimiter(),
    renderer: new BatchRenderer(secret),
    signal: options.signal,
    batchSize: Math.min(SENDER_DEFAULTS.batchSize, Math.max(1, options.batchSize ?? SENDER_DEFAULTS.batchSize)),
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
        outcome = await processAnnouncementBatch(ctx);
      } catch (err) {
        failure ??= err;
        stop = true;
        return;
      }
      if (outcome === null) {
        started -= 1;
        if (waitForPendingMs <= 0) return;
        const { pending, nextAt } = await pendingAnnouncementEmails(ctx.db).catch((err: unknown) => {
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
    }
  };
  const lanes = Math.max(1, options.concurrency ?? SENDER_DEFAULTS.concurrency);
  await Promise.all(Array.from({ length: lanes }, lane));
  if (failure) throw failure;
  await completeAnnouncements(ctx.db, ctx.now());
  return totals;
}
