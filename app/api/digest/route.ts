import { digestErrorJson, digestJson, parseDigestRequest } from '@/lib/announce/digest-http';
import { hasBearerToken } from '@/lib/http/bearer';
import { log } from '@/lib/announce/log';
import { queueWeeklyDigests } from '@/lib/announce/weekly-digest';
import { env, unsetReason } from '@/lib/env';
import { jsonResponse } from '@/lib/newsletter/http';
import { newsletterReadinessProblems } from '@/lib/newsletter/config';

/**
 * POST /api/digest: queue this week's digests for the subscribers who chose them (the weekly
 * CronJob calls it). Authorization: Bearer <ANNOUNCE_SECRET>, as for /api/announce. Body (optional,
 * JSON or a form): { "dryRun": true } to see what would be queued. Calling it again in the same
 * week queues nothing more; the outbox worker in every instance sends the emails.
 * 200 { ok, dryRun, weekOf, recentArticles, weeklySubscribers, queued }; 401 without or with a
 * wrong token; 422 for a bad body; 503 when ANNOUNCE_SECRET is unset, the newsletter is not
 * configured or the database is down.
 */
export async function POST(request: Request): Promise<Response> {
  const secret = env.ANNOUNCE_SECRET;
  if (!secret) {
    log.warn('digest-route-disabled', { reason: unsetReason('ANNOUNCE_SECRET') });
    return jsonResponse({ ok: false, error: 'The digest endpoint is not configured.' }, 503);
  }
  if (!hasBearerToken(request, secret)) {
    return jsonResponse({ ok: false, error: 'Unauthorized.' }, 401, { 'WWW-Authenticate': 'Bearer' });
  }
  try {
    const input = await parseDigestRequest(request);
    const problems = newsletterReadinessProblems();
    if (problems.length > 0 && !input.dryRun) {
      log.warn('digest-not-ready', { problems: problems.join('; ') });
      return jsonResponse({ ok: false, error: 'The newsletter is not configured.' }, 503, { 'Retry-After': '60' });
    }
    return digestJson(await queueWeeklyDigests({ dryRun: input.dryRun }));
  } catch (err) {
    return digestErrorJson(err);
  }
}
