import type { BatchEmailTransport, EmailTransport, SendFailure } from './transport';

/**
 * The reference article's circuit breaker (closed → open after N consecutive failures → half-open
 * after a cool-down), with three changes: the clock is injected (tests step time instead of
 * waiting, and no setTimeout keeps a process alive), half-open lets exactly one trial call through,
 * and "failure" means a SendResult with `ok: false, retryable: true` rather than a thrown error.
 * Hand-written because it is ~80 lines and no maintained breaker in node_modules offers both an
 * injectable clock and result-based (not exception-based) failure counting.
 *
 * What counts:
 * - a retryable failure (5xx, 429, network, timeout) is the provider struggling: it counts;
 * - a success or a non-retryable failure (422 for one bad address) proves the provider answers: it
 *   resets the count, and in half-open it closes the circuit;
 * - a thrown error counts as a failure and is rethrown.
 * Results of calls that started before the last state change are ignored, so a slow call from the
 * closed era cannot close or re-open the circuit behind the trial's back.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

export type CircuitBreakerOptions = {
  /** Consecutive retryable failures that open the circuit. */
  failureThreshold?: number;
  /** How long the circuit stays open before one trial call is let through. */
  coolDownMs?: number;
  now?: () => number;
  onStateChange?: (from: CircuitState, to: CircuitState) => void;
};

/** A failure produced by the breaker itself, without calling the provider. */
export type CircuitOpenFailure = SendFailure & { circuitOpen: true };

/** Anything shaped like our results: SendResult or BatchSendResult. */
type Outcome = { ok: true } | SendFailure;

export function isCircuitOpenFailure(result: Outcome): result is CircuitOpenFailure {
  return !result.ok && (result as Partial<CircuitOpenFailure>).circuitOpen === true;
}

export class CircuitBreaker {
  readonly #threshold: number;
  readonly #coolDownMs: number;
  readonly #now: () => number;
  readonly #onStateChange: ((from: CircuitState, to: CircuitState) => void) | undefined;

  #state: CircuitState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #trialInFlight = false;
  #generation = 0;

  constructor(options: CircuitBreakerOptions = {}) {
    this.#threshold = options.failureThreshold ?? 5;
    this.#coolDownMs = options.coolDownMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#onStateChange = options.onStateChange;
    if (!(this.#threshold >= 1)) throw new RangeError('failureThreshold must be >= 1');
    if (!(this.#coolDownMs >= 0)) throw new RangeError('coolDownMs must be >= 0');
  }

  get state(): CircuitState {
    this.#advanceClock();
    return this.#state;
  }

  get consecutiveFailures(): number {
    return this.#failures;
  }

  async run<R extends Outcome>(fn: () => Promise<R>): Promise<R | CircuitOpenFailure> {
    this.#advanceClock();
    if (this.#state === 'open') {
      return this.#reject(`circuit open after ${this.#failures} consecutive failures`, this.#openedAt + this.#coolDownMs - this.#now());
    }
    if (this.#state === 'half-open') {
      // Everyone else waits for the trial's verdict; their own backoff decides when to ask again.
      if (this.#trialInFlight) return this.#reject('circuit half-open: a trial call is in flight');
      this.#trialInFlight = true;
    }
    const generation = this.#generation;
    const isTrial = this.#state === 'half-open';
    let result: R;
    try {
      result = await fn();
    } catch (err) {
      this.#record(false, generation);
      throw err;
    } finally {
      if (isTrial) this.#trialInFlight = false;
    }
    this.#record(result.ok || !result.retryable, generation);
    return result;
  }

  #record(healthy: boolean, generation: number): void {
    if (generation !== this.#generation) return;
    if (healthy) {
      this.#failures = 0;
      if (this.#state !== 'closed') this.#transition('closed');
      return;
    }
    this.#failures += 1;
    if (this.#state === 'half-open' || this.#failures >= this.#threshold) {
      this.#openedAt = this.#now();
      this.#transition('open');
    }
  }

  #advanceClock(): void {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.#coolDownMs) this.#transition('half-open');
  }

  #transition(to: CircuitState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#generation += 1;
    this.#trialInFlight = false;
    this.#onStateChange?.(from, to);
  }

  #reject(error: string, retryAfterMs?: number): CircuitOpenFailure {
    const failure: CircuitOpenFailure = { ok: false, retryable: true, error, circuitOpen: true };
    if (retryAfterMs !== undefined) failure.retryAfterMs = Math.max(0, retryAfterMs);
    return failure;
  }
}

/** A transport whose sends go through `breaker` (share one breaker per provider and process). */
export function withCircuitBreaker(
  transport: EmailTransport & BatchEmailTransport,
  breaker: CircuitBreaker,
): EmailTransport & BatchEmailTransport {
  return {
    send: (message, opts) => breaker.run(() => transport.send(message, opts)),
    sendBatch: (messages, opts) => breaker.run(() => transport.sendBatch(messages, opts)),
  };
}
