import { describe, expect, it } from 'vitest';
import { decideRetry, failureFacts, RETRY_DEFAULTS, type RetryDecision, type SendFailureFacts } from './retry-policy';

const failure = (over: Partial<SendFailureFacts> = {}): SendFailureFacts => ({
  circuitOpen: false,
  rateLimited: false,
  retryable: true,
  error: 'Resend 500 internal_server_error: boom',
  ...over,
});

const { maxAttempts, backoffBaseMs, backoffCapMs, minDelayMs, circuitOpenDelayMs, circuitOpenJitterMs } = RETRY_DEFAULTS;

// [case, failure, attempts (this one included), random, expected]
const table: [string, SendFailureFacts, number, number, RetryDecision][] = [
  ['circuit open, cool-down known: wait it out, plus jitter; not an attempt', failure({ circuitOpen: true, retryAfterMs: 20_000, error: 'circuit open' }), 3, 0.5,
    { action: 'retry', delayMs: 20_000 + 0.5 * circuitOpenJitterMs, countsAsAttempt: false, reason: 'circuit open' }],
  ['circuit open, half-open (no cool-down): the default wait', failure({ circuitOpen: true, error: 'half-open' }), 1, 0,
    { action: 'retry', delayMs: circuitOpenDelayMs, countsAsAttempt: false, reason: 'half-open' }],
  ['circuit open even at the attempt limit: never fails a row the provider never saw', failure({ circuitOpen: true, error: 'open' }), maxAttempts + 5, 0,
    { action: 'retry', delayMs: circuitOpenDelayMs, countsAsAttempt: false, reason: 'open' }],
  ['429 with Retry-After: exactly that; not an attempt', failure({ rateLimited: true, retryAfterMs: 2_000, error: 'Resend 429 rate_limit_exceeded' }), maxAttempts, 0.9,
    { action: 'retry', delayMs: 2_000, countsAsAttempt: false, reason: 'Resend 429 rate_limit_exceeded' }],
  ['429 without Retry-After: the minimum delay', failure({ rateLimited: true, error: 'Resend 429' }), 1, 0.9,
    { action: 'retry', delayMs: minDelayMs, countsAsAttempt: false, reason: 'Resend 429' }],
  ['not retryable (422): fail at once', failure({ retryable: false, error: 'Resend 422 validation_error' }), 1, 0.5,
    { action: 'fail', reason: 'Resend 422 validation_error' }],
  ['too many attempts: fail', failure(), maxAttempts, 0.5,
    { action: 'fail', reason: `gave up after ${maxAttempts} attempts: Resend 500 internal_server_error: boom` }],
  ['first retry: full jitter under the base', failure(), 1, 0.5,
    { action: 'retry', delayMs: 0.5 * backoffBaseMs, countsAsAttempt: true, reason: 'Resend 500 internal_server_error: boom' }],
  ['fourth retry: the ceiling doubles each time', failure(), 4, 0.5,
    { action: 'retry', delayMs: 0.5 * backoffBaseMs * 8, countsAsAttempt: true, reason: 'Resend 500 internal_server_error: boom' }],
  ['late retries: capped', failure(), maxAttempts - 1, 0.999,
    { action: 'retry', delayMs: Math.floor(0.999 * Math.min(backoffCapMs, backoffBaseMs * 2 ** (maxAttempts - 2))), countsAsAttempt: true, reason: 'Resend 500 internal_server_error: boom' }],
  ['jitter drew 0: at least the minimum delay', failure(), 1, 0,
    { action: 'retry', delayMs: minDelayMs, countsAsAttempt: true, reason: 'Resend 500 internal_server_error: boom' }],
  ['5xx with Retry-After: never sooner than the server asked', failure({ retryAfterMs: 30_000 }), 2, 0.5,
    { action: 'retry', delayMs: 30_000 + 0.5 * backoffBaseMs, countsAsAttempt: true, reason: 'Resend 500 internal_server_error: boom' }],
];

describe('decideRetry (the one retry policy for rows and batches)', () => {
  it.each(table)('%s', (_name, facts, attempts, random, expected) => {
    expect(decideRetry(facts, attempts, () => random)).toEqual(expected);
  });

  it('reads the facts from a transport failure', () => {
    expect(failureFacts({ ok: false, retryable: true, error: 'Resend 429 rate_limit_exceeded: slow down', retryAfterMs: 1000 } as never)).toMatchObject({
      rateLimited: true,
      circuitOpen: false,
      retryAfterMs: 1000,
    });
    expect(failureFacts({ retryable: true, error: 'circuit open after 5 consecutive failures', circuitOpen: true })).toMatchObject({ circuitOpen: true, rateLimited: false });
    expect(failureFacts({ retryable: false, error: 'Resend 422 validation_error' })).toMatchObject({ rateLimited: false, retryable: false });
  });
});
