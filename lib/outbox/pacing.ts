import type { PrismaClient } from '../generated/prisma/client';
import { abortableSleep, AbortedError } from './sleep';

/**
 * Pacing that every instance shares: the provider's limit (Resend: 2 requests per second per team)
 * is one budget for the whole fleet, so the bucket lives in Postgres, not in a process.
 *
 * A GCRA token bucket in one row (provider_pacing): taking a send slot is ONE atomic UPDATE that
 * moves `next_slot_at` on by the interval and returns the slot it passed over, so concurrent
 * callers on any instance get distinct slots spaced by the interval, and each sleeps until its own.
 * Slots are scheduled against the bucket (a slot is reserved while the previous request is still in
 * flight), not slept after each send, so the rate is the interval's, whatever a request takes.
 * The database's clock (clock_timestamp()) decides, so instances whose clocks differ still agree.
 *
 * - `marginPercent` widens the interval a little: requests leave on their slot but reach the
 *   provider with a few milliseconds of jitter, and one that lands early costs a 429.
 * - The first request of a process (or after it idled 30 s) leaves late (a new connection, cold code),
 *   so its reservation also pushes the next slot by `coldStartMs`.
 * - A request that leaves late pushes the slots after the next one back (the provider's sliding
 *   window counts arrivals: request k+2 must arrive a second after request k).
 * - A 429's Retry-After pauses the whole fleet (pauseFor), not only the instance that got it.
 * Hand-written: the rate-limit packages keep their state in memory or Redis; this is one UPDATE.
 */

export interface Pacer {
  /** Waits for a send slot; rejects with AbortedError when `signal` aborts. */
  take(signal?: AbortSignal): Promise<void>;
  /** No slot before `ms` from now (a 429's Retry-After). */
  pauseFor(ms: number): void | Promise<void>;
}

export type SharedPacerOptions = {
  db: PrismaClient;
  /** One row per provider limit; default "resend". */
  name?: string;
  requestsPerSecond: number;
  marginPercent?: number;
  coldStartMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

/** Lateness (ms) after which a departure pushes the following slots back. */
const LATE_TOLERANCE_MS = 3;
/** Idle time after which a process's next request counts as cold (keep-alive connections closed). */
const COLD_AFTER_IDLE_MS = 30_000;

export const PACING_DEFAULTS = { name: 'resend', marginPercent: 0.5, coldStartMs: 300 } as const;

export class SharedPacer implements Pacer {
  readonly #db: PrismaClient;
  readonly #name: string;
  readonly #intervalMs: number;
  readonly #baseIntervalMs: number;
  readonly #coldStartMs: number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  #lastTake = Number.NEGATIVE_INFINITY;
  #ensured = false;

  constructor(options: SharedPacerOptions) {
    if (!(options.requestsPerSecond > 0)) throw new RangeError('requestsPerSecond must be > 0');
    this.#db = options.db;
    this.#name = options.name ?? PACING_DEFAULTS.name;
    this.#baseIntervalMs = 1000 / options.requestsPerSecond;
    this.#intervalMs = this.#baseIntervalMs * (1 + (options.marginPercent ?? PACING_DEFAULTS.marginPercent) / 100);
    this.#coldStartMs = Math.max(0, options.coldStartMs ?? PACING_DEFAULTS.coldStartMs);
    this.#sleep = options.sleep ?? abortableSleep;
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  async #ensureRow(): Promise<void> {
    if (this.#ensured) return;
    await this.#db.$executeRaw`
      INSERT INTO provider_pacing (name, next_slot_at) VALUES (${this.#name}, clock_timestamp()) ON CONFLICT (name) DO NOTHING`;
    this.#ensured = true;
  }

  async take(signal?: AbortSignal): Promise<void> {
    await this.#ensureRow();
    for (;;) {
      if (signal?.aborted) throw new AbortedError();
      // Cold: this process's first request, or its first after a long idle (connections closed). Not
      // merely "not the last one to send": in a fleet each instance takes only every few slots.
      const cold = Date.now() - this.#lastTake > COLD_AFTER_IDLE_MS;
      const stepMs = this.#intervalMs + (cold ? this.#coldStartMs : 0);
      // The slot is the later of "now" and the bucket's next slot; the bucket moves on past it. Only
      // a slot at most one interval ahead is handed out, so a request that leaves late (below) can
      // still push back every slot after the next one.
      const rows = await this.#db.$queryRaw<{ wait_ms: number }[]>`
        WITH before AS (
          SELECT GREATEST(next_slot_at, clock_timestamp()) AS slot FROM provider_pacing WHERE name = ${this.#name} FOR UPDATE
        )
        UPDATE provider_pacing AS p
        SET next_slot_at = before.slot + make_interval(secs => ${stepMs / 1000}::float8)
        FROM before
        WHERE p.name = ${this.#name} AND before.slot <= clock_timestamp() + make_interval(secs => ${this.#intervalMs / 1000}::float8)
        RETURNING (extract(epoch FROM (before.slot - clock_timestamp())) * 1000)::float8 AS wait_ms`;
      if (rows.length === 0) {
        const ahead = await this.#db.$queryRaw<{ wait_ms: number }[]>`
          SELECT (extract(epoch FROM (next_slot_at - clock_timestamp())) * 1000)::float8 AS wait_ms FROM provider_pacing WHERE name = ${this.#name}`;
        await this.#sleep(Math.max(1, Number(ahead[0]?.wait_ms ?? 0) - this.#intervalMs), signal);
        continue;
      }
      const waitMs = Math.max(0, Number(rows[0]?.wait_ms ?? 0));
      const due = Date.now() + waitMs;
      if (waitMs > 0) await this.#sleep(waitMs, signal);
      this.#lastTake = Date.now();
      const lateMs = this.#lastTake - due;
      if (lateMs > LATE_TOLERANCE_MS) {
        // Left late (a busy event loop): the provider's one-second window counts from our arrival,
        // so the request two slots on must come a second (two unwidened intervals) after it. Only
        // lateness beyond what the margin absorbs moves anything.
        await this.#db.$executeRaw`
          UPDATE provider_pacing SET next_slot_at = GREATEST(next_slot_at, clock_timestamp() + make_interval(secs => ${(2 * this.#baseIntervalMs + LATE_TOLERANCE_MS) / 1000}::float8))
          WHERE name = ${this.#name}`;
      }
      return;
    }
  }

  async pauseFor(ms: number): Promise<void> {
    if (!(ms > 0)) return;
    await this.#ensureRow();
    await this.#db.$executeRaw`
      UPDATE provider_pacing SET next_slot_at = GREATEST(next_slot_at, clock_timestamp() + make_interval(secs => ${ms / 1000}::float8))
      WHERE name = ${this.#name}`;
  }
}
