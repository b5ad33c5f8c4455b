import { completeAnnouncements } from './announce/complete';
import { announceTemplates } from './announce/emails';
import type { PrismaClient } from './generated/prisma/client';
import { runCleanup, type CleanupResult } from './newsletter/cleanup';
import { newsletterReadinessProblems, requireNewsletterSecret } from './newsletter/config';
import { newsletterTemplates } from './newsletter/emails';
import { manageUrl, unsubscribeUrl } from './newsletter/paths';
import { createManageToken } from './newsletter/tokens';
import { sendBatches as sendOutboxBatches, type SenderOptions, type SenderTotals } from './outbox/batches';
import { processOutboxBatch as processRows, sendOutboxEmail as sendRow, type OutboxBatchOptions, type OutboxBatchResult } from './outbox/rows';
import type { OutboxTemplates } from './outbox/templates';
import * as worker from './outbox/worker';

/**
 * The sending engine as this app runs it: lib/outbox (claims, leases, sends, retries, the loop)
 * given the features' templates and hooks. The outbox imports no feature; the features import
 * lib/outbox only to write rows (lib/outbox/write.ts) and to name their templates. Entry points
 * (instrumentation.ts, the routes, `npm run announce`, the signup's immediate send) come here.
 */

/** Every kind's template, the recipient's links signed with `secret` (default NEWSLETTER_SECRET). */
export function appOutboxTemplates(secret: string = requireNewsletterSecret()): OutboxTemplates {
  return {
    byKind: { ...newsletterTemplates(secret), ...announceTemplates },
    recipientToken: (subscriberId) => createManageToken(subscriberId, secret),
    links: (token) => ({ unsubscribeUrl: unsubscribeUrl(token), manageUrl: manageUrl(token) }),
  };
}

export const sendingSetup: worker.OutboxWorkerSetup<CleanupResult | null> = {
  readinessProblems: newsletterReadinessProblems,
  templates: () => appOutboxTemplates(),
  onBatchesDrained: completeAnnouncements,
  // Stale pending signups, old rate-limit buckets and webhook events (every CHORES_INTERVAL_MS).
  afterStep: (db, now, chores) => (chores ? runCleanup(db, now) : Promise.resolve(null)),
};

type WithTemplates<T> = Omit<T, 'templates'> & { templates?: OutboxTemplates; secret?: string };
const templatesOf = (options: { templates?: OutboxTemplates; secret?: string }) => options.templates ?? appOutboxTemplates(options.secret);

export function processOutboxBatch(options: WithTemplates<OutboxBatchOptions>): Promise<OutboxBatchResult> {
  return processRows({ ...options, templates: templatesOf(options) });
}

export function sendOutboxEmail(id: string, options: WithTemplates<Parameters<typeof sendRow>[1]>): ReturnType<typeof sendRow> {
  return sendRow(id, { ...options, templates: templatesOf(options) });
}

/** Provider batches until drained; then the announcements that have nothing left are COMPLETED. */
export function sendBatches(options: WithTemplates<SenderOptions>): Promise<SenderTotals> {
  return sendOutboxBatches({ onDrained: completeAnnouncements, ...options, templates: templatesOf(options) });
}

export type AppWorkerStepOptions = Omit<worker.WorkerStepOptions, 'chores'> & { cleanup?: boolean; db?: PrismaClient };

/** One worker step (the route's, or a test's): rows, announcement batches, and the cleanup when asked. */
export async function runOutboxWorkerStep(options: AppWorkerStepOptions) {
  const { rows, batches, after } = await worker.runOutboxWorkerStep(sendingSetup, { ...options, chores: options.cleanup ?? false });
  return { batch: rows, announcements: batches, cleanup: after };
}

export function startOutboxWorker(options?: worker.StartWorkerOptions): boolean {
  return worker.startOutboxWorker(sendingSetup, options);
}

export { isOutboxWorkerRunning, stopOutboxWorker, WorkerNotReadyError } from './outbox/worker';
