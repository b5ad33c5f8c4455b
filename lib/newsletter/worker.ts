import { releaseBatchClaims, sendBatches, type SenderTotals } from '../outbox/batches';
import { getEmailTransport, type BatchEmailTransport, type EmailTransport } from '../email';
import { env } from '../env';
import { getDb, isDatabaseUnavailableError } from '../db';
import type { PrismaClient } from '../generated/prisma/client';
import { runCleanup, type CleanupResult } from './cleanup';
import { newsletterReadinessProblems, requireNewsletterSecret } from './config';
import { log, logThrottled } from './log';
import { defaultWorkerId, OUTBOX_DEFAULTS, processOutboxBatch, releaseClaims, type OutboxBatchResult } from '../outbox/rows';
import { processSingleton } from '../process-singleton';

/**
 * The outbox loop inside the server process (started from instrumentation.ts). Every few seconds
 * it claims a batch and sends it; when a batch comes back full it goes again at once. The same
 * step sends up to ANNOUNCE_BATCHES_PER_STEP batches of announcement emails (lib/outbox/batches.ts,
 * 100 per provider request, paced to the provider's limit) and deletes stale pending signups (at
 * most every CLEANUP_INTERVAL_MS per process).
 * stopOutboxWorker() lets the current batch finish, hands back any claim still held, and stops.
 */

export const WORKER_INTERVAL_MS = 5_000;
export const CLEANUP_INTERVAL_MS = 10 * 60_000;
const STOP_TIMEOUT_MS = 20_000;
/** About 5 s of sending at 2 requests per second, so a step (and a stop) never waits long. */
export const ANNOUNCE_BATCHES_PER_STEP = 10;
const PROBLEM_LOG_INTERVAL_MS = 5 * 60_000;

export type WorkerStepOptions = {
  workerId: string;
  db?: PrismaClient;
  /** Announcement emails are sent only through a transport with a batch endpoint (sendBatch). */
  transport?: EmailTransport;
  limit?: number;
  now?: () => Date;
  /** Run the cleanup in this step (the loop does every CLEANUP_INTERVAL_MS; the route always). */
  cleanup?: boolean;
  signal?: AbortSignal;
};

export type WorkerStepResult = {
  batch: OutboxBatchResult;
  /** Announcement batches sent in this step (null when the transport has no batch endpoint). */
  announcements: SenderTotals | null;
  cleanup: CleanupResult | null;
};

export class WorkerNotReadyError extends Error {
  constructor(readonly problems: string[]) {
    super(`newsletter worker not ready: ${problems.join('; ')}`);
    this.name = 'WorkerNotReadyError';
  }
}

/**
 * One worker step: send a batch, then announcement batches, then (optionally) clean up. Throws
 * WorkerNotReadyError when unconfigured.
 */
export async function runOutboxWorkerStep(options: WorkerStepOptions): Promise<WorkerStepResult> {
  const problems = newsletterReadinessProblems();
  if (problems.length > 0) throw new WorkerNotReadyError(problems);
  const transport = options.transport ?? getEmailTransport();
  if (!transport) throw new WorkerNotReadyError(['no email transport (RESEND_API_KEY / EMAIL_FROM)']);
  const db = options.db ?? getDb();
  const now = options.now ?? (() => new Date());
  const secret = requireNewsletterSecret();
  const batch = await processOutboxBatch({
    workerId: options.workerId,
    db,
    transport,
    limit: options.limit,
    now,
    secret,
    signal: options.signal,
  });
  const announcements =
    hasBatchEndpoint(transport)
      ? await sendBatches({
          transport,
          db,
          workerId: options.workerId,
          secret,
          now,
          signal: options.signal,
          maxBatches: ANNOUNCE_BATCHES_PER_STEP,
        })
      : null;
  const cleanup = options.cleanup ? await runCleanup(db, now()) : null;
  return { batch, announcements, cleanup };
}

function hasBatchEndpoint(transport: EmailTransport): transport is EmailTransport & BatchEmailTransport {
  return typeof (transport as Partial<BatchEmailTransport>).sendBatch === 'function';
}

type WorkerState = {
  workerId: string;
  timer: NodeJS.Timeout | undefined;
  current: Promise<void> | undefined;
  controller: AbortController;
  stopping: boolean;
  lastCleanupAt: number;
};

// One per process: in development Next re-evaluates modules on hot reload, and a second loop must not start.
const holder = processSingleton('newsletter.outbox-worker', (): { current?: WorkerState } => ({}));

export type StartWorkerOptions = { intervalMs?: number; batchSize?: number };

/** Starts the loop (once per process). Returns false when it is already running or there is no database. */
export function startOutboxWorker(options: StartWorkerOptions = {}): boolean {
  if (holder.current && !holder.current.stopping) return false;
  if (!env.DATABASE_URL) {
    log.warn('worker-not-started', { reason: 'DATABASE_URL is not set' });
    return false;
  }
  const intervalMs = options.intervalMs ?? WORKER_INTERVAL_MS;
  const batchSize = options.batchSize ?? OUTBOX_DEFAULTS.batchSize;
  const state: WorkerState = {
    workerId: defaultWorkerId(),
    timer: undefined,
    current: undefined,
    controller: new AbortController(),
    stopping: false,
    lastCleanupAt: 0,
  };
  holder.current = state;

  const schedule = (delayMs: number) => {
    if (state.stopping) return;
    state.timer = setTimeout(tick, delayMs);
    state.timer.unref(); // never the reason the process stays alive
  };

  const tick = () => {
    state.timer = undefined;
    if (state.stopping) return;
    const cleanup = Date.now() - state.lastCleanupAt >= CLEANUP_INTERVAL_MS;
    let full = false;
    state.current = runOutboxWorkerStep({ workerId: state.workerId, limit: batchSize, cleanup, signal: state.controller.signal })
      .then(({ batch, announcements }) => {
        if (cleanup) state.lastCleanupAt = Date.now();
        full = batch.claimed >= batchSize || (announcements?.batches ?? 0) >= ANNOUNCE_BATCHES_PER_STEP;
      })
      .catch((err: unknown) => {
        if (err instanceof WorkerNotReadyError) {
          logThrottled(`worker-not-ready:${err.message}`, PROBLEM_LOG_INTERVAL_MS, () =>
            log.warn('worker-idle', { problems: err.problems.join('; ') }),
          );
        } else if (isDatabaseUnavailableError(err)) {
          logThrottled('worker-db-unavailable', PROBLEM_LOG_INTERVAL_MS, () => log.warn('worker-database-unavailable', { err }));
        } else {
          // Throttled per message: a misconfiguration (say, a database that does not exist) fails
          // every tick, and one stack every few minutes says it as well as one every 5 seconds.
          const key = `worker-step-error:${err instanceof Error ? err.message.slice(0, 200) : String(err)}`;
          logThrottled(key, PROBLEM_LOG_INTERVAL_MS, () => log.error('worker-step-error', { worker: state.workerId, err }));
        }
      })
      .finally(() => {
        state.current = undefined;
        // A full batch means more is waiting: go again right away (yielding to the event loop).
        schedule(full ? 0 : intervalMs);
      });
  };

  log.info('worker-started', { worker: state.workerId, intervalMs });
  schedule(0);
  return true;
}

/**
 * Stops the loop: no new batch starts, rows of the current batch that were not sent yet are
 * handed back, the batch's sends in flight finish (up to 20 s), and any claim still held is
 * released for another instance. Safe to call when the worker is not running.
 */
export async function stopOutboxWorker(): Promise<void> {
  const state = holder.current;
  if (!state || state.stopping) return;
  state.stopping = true;
  if (state.timer) clearTimeout(state.timer);
  state.controller.abort();
  if (state.current) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([state.current, new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS)))]);
    clearTimeout(timer);
  }
  try {
    const released = (await releaseClaims(state.workerId)) + (await releaseBatchClaims(state.workerId));
    log.info('worker-stopped', { worker: state.workerId, released });
  } catch (err) {
    // Unreachable database: the leases expire and another instance takes the rows.
    log.warn('worker-stop-release-failed', { worker: state.workerId, err });
  }
  if (holder.current === state) holder.current = undefined;
}

export function isOutboxWorkerRunning(): boolean {
  const state = holder.current;
  return state !== undefined && !state.stopping;
}
