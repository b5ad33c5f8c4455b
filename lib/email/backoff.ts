/**
 * Exponential backoff with "full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * sleep = random(0, min(cap, base * 2^attempt)). Hand-written because it is one line of arithmetic,
 * the project has no direct retry dependency, and we need an injectable random source plus
 * Retry-After handling that generic retry libraries do not combine.
 */
export type BackoffOptions = {
  /** 0 for the first retry, 1 for the second, ... */
  attempt: number;
  baseMs?: number;
  capMs?: number;
  /** The server's Retry-After; when given, we never come back sooner. */
  retryAfterMs?: number;
  /** Returns a number in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
};

export const DEFAULT_BACKOFF_BASE_MS = 1_000;
export const DEFAULT_BACKOFF_CAP_MS = 15 * 60_000;

export function backoffDelayMs({
  attempt,
  baseMs = DEFAULT_BACKOFF_BASE_MS,
  capMs = DEFAULT_BACKOFF_CAP_MS,
  retryAfterMs,
  random = Math.random,
}: BackoffOptions): number {
  if (!Number.isFinite(attempt) || attempt < 0) throw new RangeError(`attempt must be >= 0, got ${attempt}`);
  const r = Math.min(Math.max(random(), 0), 1);
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
    // Honour the server, plus a little spread (at most one base interval) so a fleet of workers
    // that were all told "retry after 1s" does not come back in the same millisecond.
    return Math.floor(retryAfterMs + r * Math.min(baseMs, capMs));
  }
  // 2^attempt overflows to Infinity for huge attempts; Math.min with the cap keeps it finite.
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.floor(r * ceiling);
}

/**
 * Parses an HTTP Retry-After value: delay-seconds ("120", Resend sends integers) or an
 * HTTP-date. Returns milliseconds from `now`, or undefined when absent or unparseable.
 */
export function parseRetryAfterMs(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // An HTTP-date always names its month; without this, Date.parse would read "-5" as the year -5.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
