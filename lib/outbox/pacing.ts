import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client';
import { abortableSleep, AbortedError } from './sleep';

/**
 * Pacing that every instance shares: the provider's limit (Resend: 2 requests per second per team)
 * is one budget for the whole fleet, so the bucket lives in Postgres, not in a process.
 *
 * The provider counts ARRIVALS in a sliding second; we only see when a request leaves and when its
 * answer comes back, and the arrival lies between the two. So the row (provider_pacing) records, for
 * each recent request, the latest moment it can have arrived: while it is in flight its slot plus
 * the send timeout, and once it is answered (done()) the answer's time. A slot is handed out only
 * when fewer than `requestsPerSecond` recent requests can have arrived within the second before
 * it, so no second at the provider ever holds more than the limit, however late a request
 * (a process's first, a busy event loop, a slow connection) really left. Whatever happens between
 * take() and the arrival is covered, which a schedule of departures cannot promise.
 * The price: `limit` requests per (1 s + the provider's own time from counting a request to
 * answering it + our slot → arrival + SAFETY_MS + the clock bound). bench/announce.ts reports the
 * split: 96.6% of the limit for one instance, a gap of 1,029 ms of which the fake's own 9 ms and
 * ours 20 ms. A schedule of departures at 99% would need slot → arrival to vary by under 10 ms
 * between a request and the one two after it; 12 ms was measured on the 2-core bench machine.
 *
 * - Slots are also spaced by the interval (1 s / limit, widened by `marginPercent`), so requests
 *   are spread evenly instead of in pairs.
 * - Taking a slot is ONE atomic UPDATE (FOR UPDATE on the row), so concurrent callers on any
 *   instance get distinct slots; the database's clock (clock_timestamp()) decides.
 * - A 429's Retry-After pauses the whole fleet (pauseFor), not only the instance that got it.
 * Hand-written: the rate-limit packages keep their state in memory or Redis; this is one UPDATE.
 */

/** What take() hands out: call done() once the provider answered (or the request failed). */
export type PacerSlot = { done(): void | Promise<void> };

export interface Pacer {
  /** Waits for a send slot; rejects with AbortedError when `signal` aborts. */
  take(signal?: AbortSignal): Promise<PacerSlot>;
  /** No slot before `ms` from now (a 429's Retry-After). */
  pauseFor(ms: number): void | Promise<void>;
}

export type SharedPacerOptions = {
  db: PrismaClient;
  /** One row per provider limit; default "resend". */
  name?: string;
  requestsPerSecond: number;
  marginPercent?: number;
  /** Latest a request can arrive after its slot when done() never comes (the process died): the send timeout and then some. */
  inFlightBoundMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

/** Timer rounding and the gap between the database's clock and a stamp taken right after it. */
const SAFETY_MS = 3;
/** Date.now() is whole milliseconds: the clock offset is rounded up by this much. */
const CLOCK_ROUNDING_MS = 1;
/** How often a caller looks again while the slot depends on a request still in flight. */
const IN_FLIGHT_POLL_MS = 20;

export const PACING_DEFAULTS = { name: 'resend', marginPercent: 0.5, inFlightBoundMs: 15_000 } as const;

type TakeRow = { wait_ms: number; granted: boolean; blocked_in_flight: boolean; db_now_ms: number };

export class SharedPacer implements Pacer {
  readonly #db: PrismaClient;
  readonly #name: string;
  readonly #limit: number;
  readonly #intervalMs: number;
  readonly #inFlightBoundMs: number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  #ensured = false;

  constructor(options: SharedPacerOptions) {
    if (!(options.requestsPerSecond > 0)) throw new RangeError('requestsPerSecond must be > 0');
    this.#db = options.db;
    this.#name = options.name ?? PACING_DEFAULTS.name;
    // The window rule counts whole requests: a limit below 1 per second still allows one per second.
    this.#limit = Math.max(1, Math.floor(options.requestsPerSecond));
    this.#intervalMs = (1000 / options.requestsPerSecond) * (1 + (options.marginPercent ?? PACING_DEFAULTS.marginPercent) / 100);
    this.#inFlightBoundMs = options.inFlightBoundMs ?? PACING_DEFAULTS.inFlightBoundMs;
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

  async take(signal?: AbortSignal): Promise<PacerSlot> {
    await this.#ensureRow();
    for (;;) {
      if (signal?.aborted) throw new AbortedError();
      const id = randomUUID();
      const sentAt = Date.now();
      // slot = the latest of: now, the bucket's next slot, and one second (plus SAFETY_MS) after the
      // limit-th latest possible arrival among recent requests. Handed out only when at most one
      // interval ahead, so a caller never holds a slot that a later done() could have moved earlier.
      const rows = await this.#db.$queryRaw<TakeRow[]>`
        WITH p AS (
          SELECT next_slot_at, recent_ids, recent_arrival_by FROM provider_pacing WHERE name = ${this.#name} FOR UPDATE
        ), kept AS (
          SELECT r.id, r.arrival_by FROM p, unnest(p.recent_ids, p.recent_arrival_by) AS r(id, arrival_by)
          WHERE r.arrival_by > clock_timestamp() - make_interval(secs => ${(1000 + SAFETY_MS) / 1000}::float8)
        ), nth AS (
          SELECT arrival_by FROM kept ORDER BY arrival_by DESC OFFSET ${this.#limit - 1}::int LIMIT 1
        ), c AS (
          SELECT GREATEST(p.next_slot_at, clock_timestamp(),
                          (SELECT arrival_by FROM nth) + make_interval(secs => ${(1000 + SAFETY_MS) / 1000}::float8)) AS slot,
                 COALESCE((SELECT arrival_by FROM nth) > clock_timestamp(), false) AS blocked_in_flight
          FROM p
        ), granted AS (
          UPDATE provider_pacing AS u
          SET next_slot_at = c.slot + make_interval(secs => ${this.#intervalMs / 1000}::float8),
              recent_ids = COALESCE((SELECT array_agg(id) FROM kept), ARRAY[]::uuid[]) || ${id}::uuid,
              recent_arrival_by = COALESCE((SELECT array_agg(arrival_by) FROM kept), ARRAY[]::timestamptz[])
                                  || (c.slot + make_interval(secs => ${this.#inFlightBoundMs / 1000}::float8))
          FROM c
          WHERE u.name = ${this.#name} AND c.slot <= clock_timestamp() + make_interval(secs => ${this.#intervalMs / 1000}::float8)
          RETURNING 1
        )
        SELECT (extract(epoch FROM (c.slot - clock_timestamp())) * 1000)::float8 AS wait_ms,
               (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS db_now_ms,
               EXISTS (SELECT 1 FROM granted) AS granted, c.blocked_in_flight
        FROM c`;
      const row = rows[0];
      if (!row) throw new Error(`provider_pacing row ${this.#name} is missing`);
      const waitMs = Math.max(0, Number(row.wait_ms));
      if (!row.granted) {
        // A request in flight may be answered any moment (moving the slot earlier): look again soon.
        const untilHandedOut = Math.max(1, waitMs - this.#intervalMs);
        await this.#sleep(row.blocked_in_flight ? Math.min(IN_FLIGHT_POLL_MS, untilHandedOut) : untilHandedOut, signal);
        continue;
      }
      if (waitMs > 0) {
        try {
          await this.#sleep(waitMs, signal);
        } catch (err) {
          await this.#settle(id); // never sent: it arrives nowhere
          throw err;
        }
      }
      // The database's clock minus ours, as an upper bound (the database read its clock after we
      // sent the query): done() stamps the answer the moment it came, not when its UPDATE runs.
      const clockOffsetMs = Number(row.db_now_ms) - sentAt + CLOCK_ROUNDING_MS;
      return { done: () => this.#settle(id, Date.now() + clockOffsetMs) };
    }
  }

  /**
   * The request was answered: it arrived by then at the latest. `answeredAtMs` is the answer's
   * moment on the database's clock (an upper bound); without it, the moment this UPDATE runs.
   */
  async #settle(id: string, answeredAtMs?: number): Promise<void> {
    const answeredAt = answeredAtMs === undefined ? null : answeredAtMs / 1000;
    await this.#db.$executeRaw`
      UPDATE provider_pacing
      SET recent_arrival_by[array_position(recent_ids, ${id}::uuid)] = LEAST(
            recent_arrival_by[array_position(recent_ids, ${id}::uuid)], clock_timestamp(),
            COALESCE(to_timestamp(${answeredAt}::float8), clock_timestamp()))
      WHERE name = ${this.#name} AND ${id}::uuid = ANY (recent_ids)`;
  }

  async pauseFor(ms: number): Promise<void> {
    if (!(ms > 0)) return;
    await this.#ensureRow();
    await this.#db.$executeRaw`
      UPDATE provider_pacing SET next_slot_at = GREATEST(next_slot_at, clock_timestamp() + make_interval(secs => ${ms / 1000}::float8))
      WHERE name = ${this.#name}`;
  }
}
