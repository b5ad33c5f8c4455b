/**
 * An in-process token bucket that paces requests to the provider's batch endpoint (Resend allows
 * 2 requests per second per team). Hand-written: it is a dozen lines of arithmetic, and it needs
 * what the rate-limit packages do not combine: an injectable clock and sleep (tests step time),
 * an abortable wait, and a pause that a 429's Retry-After imposes on every caller at once.
 *
 * Burst defaults to 1, on purpose: a provider that counts requests in a sliding one-second window
 * answers 429 to a burst of 2 followed by one more request 500 ms later, so tokens are spaced evenly.
 * `spacingMargin` widens the interval a little (2% by default): requests leave evenly spaced but
 * reach the provider with a few milliseconds of jitter, and one that lands early costs a 429 and a
 * whole second of Retry-After, far more than the margin.
 */

export type TokenBucketOptions = {
  requestsPerSecond: number;
  burst?: number;
  /** Fraction added to the interval between tokens; default 0.02. */
  spacingMargin?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

export class AbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'AbortError';
  }
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AbortedError());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class TokenBucket {
  readonly intervalMs: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Theoretical arrival time of the next request (GCRA): tokens are reserved against it. */
  #tat = 0;
  #pausedUntil = 0;
  #pauses = 0;
  #lastGrant = Number.NEGATIVE_INFINITY;

  constructor(options: TokenBucketOptions) {
    if (!(options.requestsPerSecond > 0)) throw new RangeError('requestsPerSecond must be > 0');
    this.#burst = Math.max(1, Math.floor(options.burst ?? 1));
    this.intervalMs = (1000 / options.requestsPerSecond) * (1 + (options.spacingMargin ?? 0.02));
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? abortableSleep;
  }

  /**
   * Waits for a token; rejects with AbortedError when `signal` aborts. Slots are reserved
   * synchronously, so concurrent callers are served in call order. A pause that starts while a
   * caller waits (another caller got a 429) sends it to the back of the queue behind the pause.
   */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw new AbortedError();
      const now = this.#now();
      const slot = Math.max(now, this.#pausedUntil, this.#tat - (this.#burst - 1) * this.intervalMs);
      this.#tat = Math.max(this.#tat, slot) + this.intervalMs;
      const pauses = this.#pauses;
      if (slot > now) await this.#sleep(slot - now, signal);
      if (this.#pauses !== pauses && this.#pausedUntil > slot) continue;
      if (this.#burst === 1) {
        // A timer that fired late (a busy event loop) must not let the next caller in early: grants
        // are spaced by the interval as they actually happen, not only as they were scheduled.
        for (let gap = this.#lastGrant + this.intervalMs - this.#now(); gap > 0; gap = this.#lastGrant + this.intervalMs - this.#now()) {
          await this.#sleep(gap, signal);
        }
        this.#lastGrant = this.#now();
      }
      return;
    }
  }

  /** No token before `ms` from now (a 429's Retry-After): every waiting and future caller waits. */
  pauseFor(ms: number): void {
    if (!(ms > 0)) return;
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + ms);
    this.#tat = Math.max(this.#tat, this.#pausedUntil);
    this.#pauses += 1;
  }

  /** Milliseconds until a token would be free (0: now). */
  get waitMs(): number {
    const now = this.#now();
    return Math.max(0, Math.max(this.#pausedUntil, this.#tat - (this.#burst - 1) * this.intervalMs) - now);
  }
}
