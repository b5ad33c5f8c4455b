import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CircuitState } from '../email/circuit-breaker';
import { processSingleton } from '../process-singleton';

/**
 * The process's Prometheus registry (prom-client) and the one-line hooks the services call. One per
 * process (lib/process-singleton.ts): Next bundles instrumentation.ts (the outbox worker) and each
 * route separately, and a module-level registry would exist once per bundle, so a signup counted
 * by the subscribe route would never show on the metrics route. Series names start with `quorum_`;
 * labels are closed sets (outcomes, kinds), never an address or an id.
 */

export const METRIC_PREFIX = 'quorum_';

const CIRCUIT_STATES: readonly CircuitState[] = ['closed', 'open', 'half-open'];

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const circuits = new Map<string, { readonly state: CircuitState }>();
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name: `${METRIC_PREFIX}${name}`, help, labelNames, registers });
  return {
    registry,
    signups: counter('newsletter_signups_total', 'Signup requests by outcome (new, pending-resent, already-confirmed, suppressed, rate-limited, invalid, ...).', ['outcome'] as const),
    confirmations: counter('newsletter_confirmations_total', 'Confirmation POSTs by outcome (confirmed, already-confirmed, expired, unknown).', ['outcome'] as const),
    unsubscribes: counter('newsletter_unsubscribes_total', 'Unsubscribe requests by outcome (unsubscribed, unknown).', ['outcome'] as const),
    webhookEvents: counter('newsletter_webhook_events_total', 'Verified provider webhook events (email.bounced, email.complained, other) by outcome (suppressed, duplicate, ignored): the complaint rate\'s numerator.', ['type', 'outcome'] as const),
    rateLimited: counter('rate_limit_refusals_total', 'Requests refused by a rate limit, by limit (subscribe, confirm, unsubscribe, data, data-link, webhook) and what it counts (ip, email, subscriber).', ['limit', 'scope'] as const),
    emails: counter('outbox_emails_total', 'Outbox emails by kind and outcome of an attempt (sent, failed, cancelled, retried, released).', ['kind', 'outcome'] as const),
    providerDuration: new Histogram({
      name: `${METRIC_PREFIX}email_provider_request_duration_seconds`,
      help: 'Email provider requests: time to the answer, by endpoint (send, batch) and outcome (ok, rate_limited, retryable, rejected).',
      labelNames: ['provider', 'endpoint', 'outcome'] as const,
      // The transport gives up at 10 s (lib/email/resend-transport.ts).
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers,
    }),
    providerRateLimited: counter('email_provider_rate_limited_total', 'Provider answers 429 (rate limited), by endpoint.', ['provider', 'endpoint'] as const),
    circuits,
    circuitState: new Gauge({
      name: `${METRIC_PREFIX}email_circuit_state`,
      help: 'The email circuit breaker: 1 for its current state (closed, open, half-open), 0 for the others.',
      labelNames: ['provider', 'state'] as const,
      registers,
      // Read at scrape time: the breaker turns half-open lazily, when someone looks.
      collect() {
        for (const [provider, breaker] of circuits) {
          const current = breaker.state;
          for (const state of CIRCUIT_STATES) this.set({ provider, state }, state === current ? 1 : 0);
        }
      },
    }),
    outboxDepth: new Gauge({
      name: `${METRIC_PREFIX}outbox_queue_depth`,
      help: 'Outbox emails waiting to be sent (QUEUED or SENDING), by kind; read from Postgres at scrape time.',
      labelNames: ['kind'] as const,
      registers,
    }),
    outboxOldestAge: new Gauge({
      name: `${METRIC_PREFIX}outbox_oldest_waiting_age_seconds`,
      help: 'Age of the oldest outbox email still waiting (0 when none); read from Postgres at scrape time.',
      registers,
    }),
    databaseUp: new Gauge({
      name: `${METRIC_PREFIX}metrics_database_up`,
      help: '1 when the scrape could read the outbox figures from Postgres, 0 when it could not.',
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The process's metrics (created on first use). */
export function metrics(): Metrics {
  return processSingleton('metrics', createMetrics);
}

/** A signup's outcome (lib/newsletter/subscribe.ts). */
export function countSignup(outcome: string): void {
  metrics().signups.inc({ outcome });
}

/** A confirmation's outcome (lib/newsletter/confirm.ts). */
export function countConfirmation(outcome: string): void {
  metrics().confirmations.inc({ outcome });
}

/** An unsubscribe's outcome (lib/newsletter/manage.ts). */
export function countUnsubscribe(outcome: string): void {
  metrics().unsubscribes.inc({ outcome });
}

/** A verified webhook event and what it did (lib/newsletter/webhooks.ts). */
export function countWebhookEvent(type: string, outcome: string): void {
  metrics().webhookEvents.inc({ type, outcome });
}

/** A request refused by a limit. `limit` may be a rate-limit key: only its prefix ("confirm:ip:…" → confirm) is kept. */
export function countRateLimitRefusal(limit: string, scope: string): void {
  metrics().rateLimited.inc({ limit: limit.split(':')[0] || 'unknown', scope });
}

/** `count` outbox emails of `kind` that ended an attempt with `outcome`. */
export function countEmails(kind: string, outcome: string, count = 1): void {
  if (count > 0) metrics().emails.inc({ kind, outcome }, count);
}

type RowFinish = { status?: unknown; attempts?: unknown };

/**
 * A per-row outbox outcome, from the update lib/outbox/rows.ts writes: SENT, FAILED, CANCELLED, or
 * QUEUED again, counted as a retry when the attempt counted and as a release when it did not.
 */
export function countOutboxRowFinish(kind: string, data: RowFinish): void {
  const status = typeof data.status === 'string' ? data.status : 'unknown';
  const outcome = status === 'QUEUED' ? (data.attempts === undefined ? 'released' : 'retried') : status.toLowerCase();
  countEmails(kind, outcome);
}

type BatchCounts = { kind?: string; sent: number; failed: number; cancelled: number; retried: number };

/** What one provider batch did to its emails (lib/outbox/batches.ts). */
export function countBatchOutcome(outcome: BatchCounts): void {
  const kind = outcome.kind ?? 'ANNOUNCEMENT';
  countEmails(kind, 'sent', outcome.sent);
  countEmails(kind, 'failed', outcome.failed);
  countEmails(kind, 'cancelled', outcome.cancelled);
  countEmails(kind, 'retried', outcome.retried);
}

/** Reports `breaker`'s state as quorum_email_circuit_state{provider} at every scrape. */
export function watchCircuitBreaker(provider: string, breaker: { readonly state: CircuitState }): void {
  metrics().circuits.set(provider, breaker);
}
