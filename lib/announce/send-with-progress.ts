import type { BatchEmailTransport } from '../email';
import type { PrismaClient } from '../generated/prisma/client';
import { releaseBatchClaims, type SenderTotals } from '../outbox/batches';
import { sendBatches } from '../sending';
import type { Pacer } from '../outbox/pacing';
import { createProgress, type ProgressCounts, type ProgressStream } from './progress';

/** What `npm run announce` and `npm run digest` are given by their scripts (and tests). */
export type SendingCommandOptions = {
  argv: readonly string[];
  db: PrismaClient;
  /** Null: email is not configured; what was queued is left to the outbox worker. */
  transport: BatchEmailTransport | null;
  stdout: ProgressStream;
  stderr: ProgressStream;
  secret?: string;
  now?: () => Date;
  limiter?: Pacer;
  signal?: AbortSignal;
  workerId?: string;
};

/**
 * The sending half of `npm run announce` and `npm run digest`: every provider batch that is due,
 * with the progress line on stderr. Stopped (Ctrl-C) or crashed mid-way, whatever this run still
 * holds goes back to the queue at once, so the next run or the outbox worker goes on.
 */
export async function sendWithProgress(options: {
  transport: BatchEmailTransport;
  db: PrismaClient;
  workerId: string;
  /** Emails waiting when the sending starts: the progress line's total. */
  total: number;
  stderr: ProgressStream;
  waitSeconds: number;
  now: () => Date;
  secret?: string;
  limiter?: Pacer;
  signal?: AbortSignal;
}): Promise<SenderTotals> {
  const progress = createProgress(options.stderr, options.total);
  const counts: ProgressCounts = { sent: 0, cancelled: 0, failed: 0, retried: 0, rateLimited: 0 };
  try {
    return await sendBatches({
      transport: options.transport,
      db: options.db,
      workerId: options.workerId,
      secret: options.secret,
      now: options.now,
      limiter: options.limiter,
      signal: options.signal,
      waitForPendingMs: options.waitSeconds * 1000,
      onBatch: (_outcome, running) => {
        Object.assign(counts, running);
        progress.update(counts);
      },
    });
  } finally {
    progress.done(counts);
    await releaseBatchClaims(options.workerId, options.db, options.now()).catch(() => 0);
  }
}
