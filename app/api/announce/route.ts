import { announceNewArticles } from '@/lib/announce/enqueue';
import { announceErrorJson, announceJson, parseAnnounceRequest } from '@/lib/announce/http';
import { hasBearerToken } from '@/lib/http/bearer';
import { log } from '@/lib/announce/log';
import { env, unsetReason } from '@/lib/env';
import { jsonResponse } from '@/lib/newsletter/http';
import { newsletterReadinessProblems } from '@/lib/newsletter/config';

/**
 * POST /api/announce: queue the emails about newly published articles (a deploy pipeline or a
 * scheduler calls it after a release). Authorization: Bearer <ANNOUNCE_SECRET>. Body (optional,
 * JSON or a form): { "article": "<slug>" } to announce one article only, { "dryRun": true } to see
 * what would be queued. The outbox worker in every instance sends the emails.
 * 200 { ok, dryRun, firstRun, backfilled, articles, mode, recipients, queued, alreadyAnnounced }
 * 401 without or with a wrong token; 404/422 for an unknown, draft or scheduled article; 422 for a
 * bad body; 503 when ANNOUNCE_SECRET is unset, the newsletter is not configured or the database is down.
 */
export async function POST(request: Request): Promise<Response> {
  const secret = env.ANNOUNCE_SECRET;
  if (!secret) {
    log.warn('announce-route-disabled', { reason: unsetReason('ANNOUNCE_SECRET') });
    return jsonResponse({ ok: false, error: 'The announce endpoint is not configured.' }, 503);
  }
  if (!hasBearerToken(request, secret)) {
    return jsonResponse({ ok: false, error: 'Unauthorized.' }, 401, { 'WWW-Authenticate': 'Bearer' });
  }
  try {
    const input = await parseAnnounceRequest(request);
    const problems = newsletterReadinessProblems();
    if (problems.length > 0 && !input.dryRun) {
      log.warn('announce-not-ready', { problems: problems.join('; ') });
      return jsonResponse({ ok: false, error: 'The newsletter is not configured.' }, 503, { 'Retry-After': '60' });
    }
    return announceJson(await announceNewArticles({ article: input.article, dryRun: input.dryRun }));
  } catch (err) {
    return announceErrorJson(err);
  }
}
