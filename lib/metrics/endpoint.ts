import 'server-only';
import { getDb, poolOf } from '../db';
import { env, unsetReason } from '../env';
import { hasBearerToken } from '../http/bearer';
import { NO_STORE } from '../http/cache-control';
import { log } from '../log';
import { refreshOutboxGauges } from './outbox-gauges';
import { metrics } from './registry';

/**
 * GET /api/metrics: the process's figures in Prometheus's text format, for Prometheus only.
 * Authorization: Bearer <METRICS_TOKEN> (constant-time compare); 401 without it or with another,
 * 503 while METRICS_TOKEN is unset. The counters are this process's (Prometheus scrapes every pod
 * and sums); the outbox gauges are read from Postgres at each scrape, so every pod reports the
 * same queue and alert rules take max(), not sum().
 */
export async function metricsResponse(request: Request): Promise<Response> {
  const token = env.METRICS_TOKEN;
  if (!token) {
    log.warn('metrics-route-disabled', { reason: unsetReason('METRICS_TOKEN') });
    return refusal('The metrics endpoint is not configured.', 503);
  }
  if (!hasBearerToken(request, token)) return refusal('Unauthorized.', 401, { 'WWW-Authenticate': 'Bearer' });

  const m = metrics();
  const pool = sharedPool();
  if (pool) await refreshOutboxGauges(pool);
  else m.databaseUp.set(0);
  return new Response(await m.registry.metrics(), { status: 200, headers: { 'Content-Type': m.registry.contentType, ...NO_STORE } });
}

/** The app's pool, or undefined without a database (DATABASE_URL unset): the counters still answer. */
function sharedPool() {
  try {
    return poolOf(getDb());
  } catch {
    return undefined;
  }
}

/** Errors answer as every API route's do: JSON with a message. */
function refusal(error: string, status: number, headers: Record<string, string> = {}): Response {
  return Response.json({ ok: false, error }, { status, headers: { ...NO_STORE, ...headers } });
}
