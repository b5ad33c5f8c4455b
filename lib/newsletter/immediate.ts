import { after } from 'next/server';
import { getEmailTransport, hasBatchEndpoint, type EmailTransport } from '../email';
import type { PrismaClient } from '../generated/prisma/client';
import { log } from './log';
import { gatherIntoBatch } from '../outbox/gather';
import { PROVIDER_BATCH_SIZE } from '../outbox/write';
import { sendBatches, sendOutboxEmail } from '../sending';
import { processSingleton } from '../process-singleton';

/**
 * "After the commit, send at once": the outbox rows a request wrote are sent right after its
 * response, through the same claim as the worker (so the two never both send a row). Inside a
 * request (route handler, server action) Next's `after()` keeps the work alive past the response,
 * also on serverless hosts; elsewhere (scripts, tests) it runs as a tracked background promise.
 * Whatever fails or times out here stays QUEUED, and the worker retries it.
 */

/** Upper bound for one immediate send; the Resend transport's own deadline (10 s) is below it. */
export const IMMEDIATE_SEND_TIMEOUT_MS = 15_000;

/**
 * Sends at once per process. A burst of signups queues its emails here instead of starting a send
 * (four queries, a render, a provider call) per request at once: those competed with the signups
 * themselves for the CPU and the pool, and the burst is what the worker's batches are for.
 */
export const IMMEDIATE_SEND_CONCURRENCY = 2;
/** Ids waiting past this many are left to the worker's next batch: they are QUEUED rows already. */
export const IMMEDIATE_QUEUE_LIMIT = 1_000;

type Pending = { id: string; options: ImmediateSendOptions; done: () => void };

// One per process: shutdown code in another bundle (lib/lifecycle.ts) can wait for these.
const state = processSingleton('newsletter.immediate-queue', () => ({ queue: [] as Pending[], lanes: new Set<Promise<void>>() }));

export type ImmediateSendOptions = {
  db: PrismaClient;
  /** Default: getEmailTransport() (Resend behind the process-wide circuit breaker, or the dev mailbox). */
  transport?: EmailTransport;
  timeoutMs?: number;
};

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function sendOne({ id, options }: Pending): Promise<void> {
  const transport = options.transport ?? getEmailTransport();
  if (!transport) return; // not configured: subscribe refused already, and the worker logs it
  const timeoutMs = options.timeoutMs ?? IMMEDIATE_SEND_TIMEOUT_MS;
  const outcome = await withTimeout(sendOutboxEmail(id, { db: options.db, transport }), timeoutMs);
  if (outcome === 'timeout') log.warn('immediate-send-timeout', { id, timeoutMs });
}

/**
 * Confirmations that piled up while a lane was busy go out as one provider batch (one request for
 * up to 100, instead of a claim, checks, a render and a request each); the rest one by one.
 */
async function sendPiledUp(pending: Pending[]): Promise<Pending[]> {
  const { options } = pending[0]!;
  const transport = options.transport ?? getEmailTransport();
  if (!transport || !hasBatchEndpoint(transport)) return pending;
  const gathered = await gatherIntoBatch(options.db, { ids: pending.map((p) => p.id), kind: 'CONFIRMATION', now: new Date() });
  if (!gathered) return pending;
  const timeoutMs = options.timeoutMs ?? IMMEDIATE_SEND_TIMEOUT_MS;
  // One batch, now; if this fails or times out, the worker's batch sender takes it (same Idempotency-Key).
  const sent = sendBatches({ db: options.db, transport, batchId: gathered.batchId, maxBatches: 1, concurrency: 1, onDrained: undefined });
  const outcome = await withTimeout(sent, timeoutMs);
  if (outcome === 'timeout') log.warn('immediate-send-timeout', { batch: gathered.batchId, timeoutMs });
  const inBatch = new Set(gathered.ids);
  for (const p of pending) if (inBatch.has(p.id)) p.done();
  return pending.filter((p) => !inBatch.has(p.id));
}

/** One lane: sends queued ids, oldest first, until the queue is empty. */
async function drain(): Promise<void> {
  while (state.queue.length > 0) {
    let pending = state.queue.splice(0, PROVIDER_BATCH_SIZE);
    if (pending.length > 1) {
      pending = await sendPiledUp(pending).catch((err: unknown) => {
        log.warn('immediate-batch-error', { err });
        return pending;
      });
    }
    for (const next of pending) {
      await sendOne(next).catch((err: unknown) => log.warn('immediate-send-error', { id: next.id, err }));
      next.done();
    }
  }
}

function startLanes(): void {
  while (state.lanes.size < IMMEDIATE_SEND_CONCURRENCY && state.queue.length > 0) {
    const lane: Promise<void> = drain().finally(() => state.lanes.delete(lane));
    state.lanes.add(lane);
  }
}

export function scheduleImmediateSend(ids: readonly string[], options: ImmediateSendOptions): void {
  if (ids.length === 0) return;
  const run = (): Promise<void> => {
    const room = IMMEDIATE_QUEUE_LIMIT - state.queue.length;
    if (room < ids.length) log.warn('immediate-send-queue-full', { leftToWorker: ids.length - Math.max(0, room) });
    const sent = ids.slice(0, Math.max(0, room)).map(
      (id) => new Promise<void>((done) => state.queue.push({ id, options, done })),
    );
    startLanes();
    // Resolves when this request's own emails are out (after() keeps a serverless instance alive for it).
    return Promise.all(sent).then(() => undefined);
  };
  try {
    after(run);
  } catch {
    // Outside a request scope `after` throws: run it now, in the background.
    void run();
  }
}

/** Resolves when every immediate send queued so far has finished (tests, graceful shutdown). */
export async function waitForImmediateSends(): Promise<void> {
  while (state.lanes.size > 0 || state.queue.length > 0) {
    startLanes();
    await Promise.allSettled([...state.lanes]);
  }
}
