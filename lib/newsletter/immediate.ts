import { after } from 'next/server';
import { getEmailTransport, type EmailTransport } from '../email';
import type { PrismaClient } from '../generated/prisma/client';
import { log } from './log';
import { sendOutboxEmail } from '../outbox/rows';
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

// One per process: shutdown code in another bundle (lib/lifecycle.ts) can wait for these.
const inFlight = processSingleton('newsletter.immediate-sends', () => new Set<Promise<void>>());

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

async function sendAll(ids: readonly string[], options: ImmediateSendOptions): Promise<void> {
  const transport = options.transport ?? getEmailTransport();
  if (!transport) return; // not configured: subscribe refused already, and the worker logs it
  for (const id of ids) {
    const outcome = await withTimeout(
      sendOutboxEmail(id, { db: options.db, transport }),
      options.timeoutMs ?? IMMEDIATE_SEND_TIMEOUT_MS,
    );
    if (outcome === 'timeout') log.warn('immediate-send-timeout', { id, timeoutMs: options.timeoutMs ?? IMMEDIATE_SEND_TIMEOUT_MS });
  }
}

export function scheduleImmediateSend(ids: readonly string[], options: ImmediateSendOptions): void {
  if (ids.length === 0) return;
  const run = (): Promise<void> => {
    const promise: Promise<void> = sendAll(ids, options)
      .catch((err: unknown) => log.warn('immediate-send-error', { ids: ids.join(','), err }))
      .finally(() => inFlight.delete(promise));
    inFlight.add(promise);
    return promise;
  };
  try {
    after(run);
  } catch {
    // Outside a request scope `after` throws: run it now, in the background.
    void run();
  }
}

/** Resolves when every immediate send started so far has finished (tests, graceful shutdown). */
export async function waitForImmediateSends(): Promise<void> {
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
}
