import type { BatchEmailTransport, BatchSendResult, EmailTransport, SendResult } from '../email/transport';
import { failureFacts } from '../outbox/retry-policy';
import { metrics } from './registry';

/**
 * Times every request to the email provider and counts its 429s, around the real transport
 * (inside the circuit breaker, so a call the open breaker refuses is not a provider request).
 * The 429 test is the retry policy's own (failureFacts), so the metric and the retry agree.
 */

type Outcome = 'ok' | 'rate_limited' | 'retryable' | 'rejected';

function outcomeOf(result: SendResult | BatchSendResult): Outcome {
  if (result.ok) return 'ok';
  if (failureFacts(result).rateLimited) return 'rate_limited';
  return result.retryable ? 'retryable' : 'rejected';
}

async function timed<R extends SendResult | BatchSendResult>(provider: string, endpoint: 'send' | 'batch', call: () => Promise<R>): Promise<R> {
  const m = metrics();
  const stop = m.providerDuration.startTimer({ provider, endpoint });
  let outcome: Outcome = 'retryable';
  try {
    const result = await call();
    outcome = outcomeOf(result);
    return result;
  } finally {
    stop({ outcome });
    if (outcome === 'rate_limited') m.providerRateLimited.inc({ provider, endpoint });
  }
}

/** `transport`, with each send and batch send measured as a request to `provider`. */
export function measuredTransport<T extends EmailTransport & BatchEmailTransport>(provider: string, transport: T): EmailTransport & BatchEmailTransport {
  return {
    send: (message, opts) => timed(provider, 'send', () => transport.send(message, opts)),
    sendBatch: (messages, opts) => timed(provider, 'batch', () => transport.sendBatch(messages, opts)),
  };
}
