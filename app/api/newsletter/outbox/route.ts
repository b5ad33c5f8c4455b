import { env, unsetReason } from '@/lib/env';
import { hasBearerToken } from '@/lib/http/bearer';
import { errorJson, jsonResponse } from '@/lib/newsletter/http';
import { log } from '@/lib/newsletter/log';
import { defaultWorkerId } from '@/lib/outbox/rows';
import { runOutboxWorkerStep, WorkerNotReadyError } from '@/lib/sending';

/**
 * POST /api/newsletter/outbox: one worker step (a batch of sends plus the cleanup) for an external
 * scheduler, next to the loop inside each server. Authorization: Bearer <CRON_SECRET>.
 * 200 { ok, claimed, sent, retried, failed, cancelled, released, deletedPending, deletedRateLimitBuckets, deletedWebhookEvents }
 * 401 without or with a wrong token; 503 when CRON_SECRET is unset, the newsletter is not
 * configured, or the database is unreachable. GET does the same, for schedulers that can only
 * GET (Vercel Cron sends GET with this very header).
 */

async function handle(request: Request): Promise<Response> {
  const secret = env.CRON_SECRET;
  if (!secret) {
    log.warn('outbox-route-disabled', { reason: unsetReason('CRON_SECRET') });
    return jsonResponse({ ok: false, error: 'The outbox endpoint is not configured.' }, 503);
  }
  if (!hasBearerToken(request, secret)) {
    return jsonResponse({ ok: false, error: 'Unauthorized.' }, 401, { 'WWW-Authenticate': 'Bearer' });
  }
  try {
    const { batch, cleanup } = await runOutboxWorkerStep({ workerId: `route:${defaultWorkerId()}`, cleanup: true });
    return jsonResponse({ ok: true, ...batch, ...cleanup });
  } catch (err) {
    if (err instanceof WorkerNotReadyError) {
      log.warn('outbox-route-not-ready', { problems: err.problems.join('; ') });
      return jsonResponse({ ok: false, error: 'The newsletter is not configured.' }, 503);
    }
    return errorJson(err, 'outbox');
  }
}

export const POST = handle;
export const GET = handle;
