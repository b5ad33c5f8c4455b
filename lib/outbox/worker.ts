import { releaseBatchClaims, sendBatches, type SenderTotals } from './batches';
import { getEmailTransport, hasBatchEndpoint, type EmailTransport } from '../email';
import { env } from '../env';
import { getDb, isDatabaseUnavailableError } from '../db';
import type { PrismaClient } from '../generated/prisma/client';
import { logThrottled } from '../log';
import { log } from './log';
import { defaultWorkerId, OUTBOX_DEFAULTS, processOutboxBatch, releaseClaims, type OutboxBatchResult } from './rows';
import type { OutboxTemplates } from './templates';
import { processSingleton } from '../process-singleton';

/**
 * The outbox loop inside the server process (started from instrumentation.ts through lib/sending.ts).
 * Every few seconds it claims rows and sends them one by one (lib/outbox/rows.ts), then up to
 * BATCHES_PER_STEP provider batches (lib/outbox/batches.ts, 100 emails per request, paced to the
 * provider's limit); when either came back full it goes again at once. What the features add
 * (their templates, whether they are configured, chores such as deleting stale signups, reacting
 * when the batches are drained) comes in an OutboxWorkerSetup, so the outbox knows none of them.
 * stopOutboxWorker() lets the current step finish, hands back any claim still held, and stops.
 */

export const WORKER_INTERVAL_MS = 5_000;
/** How often the loop runs the setup's chores (afterStep with chores = true). */
export const CHORES_INTERVAL_MS = 10 * 60_000;
const STOP_TIMEOUT_MS = 20_000;
/** About 5 s of sending at 2 requests per second, so a step (and a stop) never waits long. */
export const BATCHES_PER_STEP = 10;
const PROBLEM_LOG_INTERVAL_MS = 5 * 60_000;

export type OutboxWorkerSetup<After = unknown> = {
  /** Why nothing can be sent now (a missing secret, say); empty when ready. */
  readinessProblems(): string[];
  /** Asked once per step, after readiness passed. */
  templates(): OutboxTemplates;
  /** After the last batch of a drained sender (announcements mark themselves complete). */
  onBatchesDrained?(db: PrismaClient, now: Date): Promise<unknown>;
  /** After the step's sends; `chores` says whether the periodic chores are due. */
  afterStep?(db: PrismaClient, now: Date, chores: boolean): Promise<After>;
};

export type WorkerStepOptions = {
  workerId: string;
  db?: PrismaClient;
  /** Batched kinds are sent only through a transport with a batch endpoint (sendBatch). */
  transport?: EmailTransport;
  limit?: number;
  now?: () => Date;
  /** Run the setup's chores in this step (the loop does every CHORES_INTERVAL_MS; the route always). */
  chores?: boolean;
  signal?: AbortSignal;
};

export type WorkerStepResult<After> = {
  rows: OutboxBatchResult;
  /** Provider batches sent in this step (null when the transport has no batch endpoint). */
  batches: SenderTotals | null;
  after: After | null;
};

export class WorkerNotReadyError extends Error {
  constructor(readonly problems: string[]) {
    super(`outbox worker not ready: ${problems.join('; ')}`);
    this.name = 'WorkerNotReadyError';
  }
}

/** One step: rows one by one, then provider batches, then afterStep. Throws WorkerNotReadyError when unconfigured. */
export async function runOutboxWorkerStep<After>(setup: OutboxWorkerSetup<After>, options: WorkerStepOptions): Promise<WorkerStepResult<After>> {
  const problems = setup.readinessProblems();
  if (problems.length > 0) throw new WorkerNotReadyError(problems);
  const transport = options.transport ?? getEmailTransport();
  if (!transport) throw new WorkerNotReadyError(['no email transport (RESEND_API_KEY / EMAIL_FROM)']);
  const db = options.db ?? getDb();
  const now = options.now ?? (() => new Date());
  const templates = setup.templates();
  const rows = await processOutboxBatch({ workerId: options.workerId, db, transport, limit: options.limit, now, templates, signal: options.signal });
  const batches = hasBatchEndpoint(transport)
    ? await sendBatches({
        transport,
        db,
        workerId: options.workerId,
        templates,
        now,
        signal: options.signal,
        maxBatches: BATCHES_PER_STEP,
        onDrained: setup.onBatchesDrained,
      })
    : null;
  const after = setup.afterStep ? await setup.afterStep(db, now(), options.chores ?? false) : null;
  return { rows, batches, after };
}

type WorkerState = {
  workerId: string;
  timer: NodeJS.Timeout | undefined;
  current: Promise<void> | undefined;
  controller: AbortController;
  stopping: boolean;
  lastChoresAt: number;
};

// One per process: in development Next re-evaluates modules on hot reload, and a second loop must not start.
const holder = processSingleton('newsletter.outbox-worker', (): { current?: WorkerState } => ({}));

export type StartWorkerOptions = { intervalMs?: number; batchSize?: number };

/** Starts the loop (once per process). Returns false when it is already running or there is no database. */
export function startOutboxWorker(setup: OutboxWorkerSetup, options: StartWorkerOptions = {}): boolean {
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
    lastChoresAt: 0,
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
    const chores = Date.now() - state.lastChoresAt >= CHORES_INTERVAL_MS;
    let full = false;
    state.current = runOutboxWorkerStep(setup, { workerId: state.workerId, limit: batchSize, chores, signal: state.controller.signal })
      .then(({ rows, batches }) => {
        if (chores) state.lastChoresAt = Date.now();
        full = rows.claimed >= batchSize || (batches?.batches ?? 0) >= BATCHES_PER_STEP;
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
 * Stops the loop: no new step starts, rows of the current step that were not sent yet are
 * handed back, the sends in flight finish (up to 20 s), and any claim still held is
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
