/**
 * Bounded waiting for tests, checks and benchmarks: every wait has a deadline, so nothing hangs.
 * Written here (about 20 lines) because the libraries' pollers (p-wait-for, vi.waitFor) stop at the
 * first probe that throws, and a server that is still starting throws (connection refused).
 */
import { setTimeout as sleepFor } from 'node:timers/promises';

export const sleep = (ms: number): Promise<void> => sleepFor(ms);

/** `promise`'s value, or null after `ms` (the timer does not keep the process alive after). */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Polls `probe` every `everyMs` until it returns a truthy value, and returns that; throws after
 * `timeoutMs` with the last error. A probe that hangs is cut off at the deadline too.
 */
export async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await within(Promise.resolve().then(probe), Math.max(1, deadline - Date.now()));
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  const reason = last instanceof Error ? ` (last error: ${last.message})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
}
