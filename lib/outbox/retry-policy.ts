import { backoffDelayMs } from '../email/backoff';

/**
 * What to do after a failed send, for one email or a batch alike: ONE pure function, so the
 * per-row sender and the batch sender cannot drift apart (they used to carry a copy each).
 * Hand-written rather than cockatiel's retry policy: cockatiel retries in-process around a call,
 * while ours is persisted (next_attempt_at on the row) and decided from the stored attempt count.
 */

export const RETRY_DEFAULTS = {
  /** After this many attempts a row (or batch) is FAILED: with the delays below, hours of outage. */
  maxAttempts: 10,
  /** Full-jitter exponential backoff: random(0, min(cap, base·2^(attempts-1))), at least minDelayMs. */
  backoffBaseMs: 10_000,
  backoffCapMs: 60 * 60_000,
  minDelayMs: 1_000,
  /** When the breaker gives no remaining cool-down (half-open, trial in flight). */
  circuitOpenDelayMs: 5_000,
  /** Spread added to a circuit-open wait so a fleet does not come back in the same millisecond. */
  circuitOpenJitterMs: 1_000,
} as const;

export type RetryPolicy = {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  minDelayMs: number;
  circuitOpenDelayMs: number;
  circuitOpenJitterMs: number;
};

export type SendFailureFacts = {
  /** The breaker refused the call: the provider was never asked. */
  circuitOpen: boolean;
  /** The provider said 429: nothing was sent. */
  rateLimited: boolean;
  retryable: boolean;
  retryAfterMs?: number;
  error: string;
};

export type RetryDecision =
  /** Try again at now + delayMs. `countsAsAttempt: false`: the provider never took it (circuit open, 429). */
  | { action: 'retry'; delayMs: number; countsAsAttempt: boolean; reason: string }
  | { action: 'fail'; reason: string };

/**
 * `attempts` is the number of attempts made so far, this one included (counted at the claim).
 * Order matters: an open circuit or a 429 never used the provider, so neither the retryable flag
 * nor the attempt budget applies to them.
 */
export function decideRetry(
  failure: SendFailureFacts,
  attempts: number,
  random: () => number = Math.random,
  policy: RetryPolicy = RETRY_DEFAULTS,
): RetryDecision {
  if (failure.circuitOpen) {
    const waitMs = Math.max(policy.minDelayMs, failure.retryAfterMs ?? policy.circuitOpenDelayMs);
    return { action: 'retry', delayMs: waitMs + Math.floor(random() * policy.circuitOpenJitterMs), countsAsAttempt: false, reason: failure.error };
  }
  if (failure.rateLimited && failure.retryable) {
    return { action: 'retry', delayMs: Math.max(0, failure.retryAfterMs ?? policy.minDelayMs), countsAsAttempt: false, reason: failure.error };
  }
  if (!failure.retryable) return { action: 'fail', reason: failure.error };
  if (attempts >= policy.maxAttempts) return { action: 'fail', reason: `gave up after ${attempts} attempts: ${failure.error}` };
  const delayMs = backoffDelayMs({
    attempt: Math.max(0, attempts - 1),
    baseMs: policy.backoffBaseMs,
    capMs: policy.backoffCapMs,
    retryAfterMs: failure.retryAfterMs,
    random,
  });
  return { action: 'retry', delayMs: Math.max(policy.minDelayMs, delayMs), countsAsAttempt: true, reason: failure.error };
}

// classifyResendError describes failures as "Resend <status> <name>: <message>".
const RATE_LIMITED = /\b429\b|rate_limit_exceeded/;

/** The facts the policy needs from a transport's failure result. */
export function failureFacts(result: { retryable: boolean; retryAfterMs?: number; error: string; circuitOpen?: boolean }): SendFailureFacts {
  return {
    circuitOpen: result.circuitOpen === true,
    rateLimited: RATE_LIMITED.test(result.error),
    retryable: result.retryable,
    retryAfterMs: result.retryAfterMs,
    error: result.error,
  };
}
