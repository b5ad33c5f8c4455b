import type { Pacer, PacerSlot } from './pacing';
import { abortableSleep, AbortedError } from './sleep';

export { abortableSleep, AbortedError };

/**
 * An in-process token bucket (tests, and a process that must pace alone; the fleet shares
 * lib/outbox/pacing.ts) that paces requests to the provider's batch endpoint (Resend allows
 * 2 requests per second per team). Hand-written: it is a dozen lines of arithmetic, and it needs
 * what the rate-limit packages do not combine: an injectable clock and sleep (tests step time),
 * an abortable wait, and a pause that a 429's Retry-After imposes on every caller at once.
 *
 * Burst defaults to 1, on purpose: a provider that counts requests in a sliding one-second window
 * answers 429 to a burst of 2 followed by one more request 500 ms later, so tokens are spaced evenly.
 * `spacingMargin` widens the interval a little (3% by default: 515 ms at 2 per second, at most 97%
 * of the limit): requests leave evenly spaced but reach the provider with some milliseconds of
 * jitter, and one that lands early costs a 429 and a whole second of Retry-After, far more than
 * the margin. bench/announce.ts measures the resulting rate.
 *
 * And it adapts, additive-increase/decrease as TCP does: each 429 (pauseFor) widens the interval by
 * 5% more (up to +25%), each grant narrows it back by 0.25%. On a quiet machine and network it stays
 * at the margin; where arrivals jitter more than the margin absorbs, it settles where 429s are rare
 * instead of paying a whole Retry-After again and again.
 */

export type TokenBucketOptions = {
  requestsPerSecond: number;
  burst?: number;
  /** Fraction added to the interval between tokens; default 0.03. */
  spacingMargin?: number;
  /**
   * Extra wait before the second request after an idle period (default 150 ms): the first request
   * after a pause leaves late (a new connection, cold code paths), so the next one on time would
   * land too close to it at the provider.
   */
  coldStartMs?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

// One process alone: nothing to record when a request is answered.
const IN_PROCESS_SLOT: PacerSlot = { done() {} };
const BACKOFF_STEP = 0.05;
const BACKOFF_MAX = 0.25;
const BACKOFF_DECAY = 0.0025;

export class TokenBucket implements Pacer {
  readonly #baseIntervalMs: number;
  readonly #margin: number;
  /** Extra spacing learned from 429s (a fraction of the base interval). */
  #backoff = 0;
  readonly #burst: number;
  readonly #coldStartMs: number;
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
    this.#coldStartMs = Math.max(0, options.coldStartMs ?? 150);
    this.#baseIntervalMs = 1000 / options.requestsPerSecond;
    this.#margin = options.spacingMargin ?? 0.03;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? abortableSleep;
  }

  /** The spacing between tokens right now (the margin and what 429s taught included). */
  get intervalMs(): number {
    return this.#baseIntervalMs * (1 + this.#margin + this.#backoff);
  }

  /**
   * Waits for a token; rejects with AbortedError when `signal` aborts. Slots are reserved
   * synchronously, so concurrent callers are served in call order. A pause that starts while a
   * caller waits (another caller got a 429) sends it to the back of the queue behind the pause.
   */
  async take(signal?: AbortSignal): Promise<PacerSlot> {
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
        const granted = this.#now();
        const idle = granted - this.#lastGrant > 2 * this.intervalMs;
        this.#lastGrant = idle ? granted + this.#coldStartMs : granted;
      }
      this.#backoff = Math.max(0, this.#backoff - BACKOFF_DECAY);
      return IN_PROCESS_SLOT;
    }
  }

  /**
   * No token before `ms` from now (a 429's Retry-After): every waiting and future caller waits, and
   * the spacing widens a step.
   */
  pauseFor(ms: number): void {
    if (!(ms > 0)) return;
    this.#backoff = Math.min(BACKOFF_MAX, this.#backoff + BACKOFF_STEP);
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
