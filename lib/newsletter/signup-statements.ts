import type pg from 'pg';
import { rateLimitResult, type RateLimitResult, type RateLimitRule } from './rate-limit';

/**
 * One signup in ONE round trip: `SELECT … FROM newsletter_signup(…)`, a PL/pgSQL function
 * (prisma/migrations/20261201200000_newsletter_signup_function) run in autocommit, so its steps are
 * one transaction: both rate-limit buckets, the inbox's advisory lock, then one CTE that reads
 * (suppression, other spellings of the inbox, the row itself, locked) and writes (the subscriber,
 * its token, the superseded confirmations, the outbox row). The migration says why the lock and
 * the CTE are separate statements inside it.
 *
 * Why a function rather than BEGIN … COMMIT from here: at signup rates the round trips were the
 * cost (four per signup, each a turn of the event loop while the connection sits idle in a
 * transaction, holding the buckets' row locks); Postgres's own work is a fraction of a millisecond.
 * Plain SQL through the adapter's own pg pool (lib/db.ts poolOf), so the bench's bare node:http
 * floor runs exactly this call.
 */

/** A queued, never-sent confirmation is superseded by a new one: one email, with the newest link. */
export const SUPERSEDED_ERROR = 'cancelled: superseded by a newer confirmation';

export type SignupLimits = {
  client: { key: string; rule: RateLimitRule };
  inbox: { key: string; rule: RateLimitRule };
};

export type SignupInput = {
  email: string;
  source: string | null;
  now: Date;
  /** Confirmation emails to one pending inbox at most once per this interval. */
  resendIntervalMs: number;
  /** Ids and the token, made by the caller (so the statement is the same in the app and the bench floor). */
  subscriberId: string;
  tokenId: string;
  tokenHash: string;
  tokenExpiresAt: Date;
  outboxId: string;
  /** The CONFIRMATION row's payload (the sealed token). */
  payload: unknown;
};

export type SignupOutcome =
  | 'suppressed'
  | 'inbox-confirmed'
  | 'inbox-pending-throttled'
  | 'new'
  | 'already-confirmed'
  | 'pending-throttled'
  | 'pending-resent'
  | 'resubscribed';

export type SignupResult =
  | { refused: 'ip' | 'email'; limit: RateLimitResult }
  | { refused: null; outcome: SignupOutcome; outboxIds: string[] };

const SIGNUP_SQL = `
SELECT client_count, client_window_start, inbox_count, inbox_window_start, outcome, outbox_id
FROM newsletter_signup($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::uuid, $12::uuid, $13, $14, $15, $16::uuid, $17::jsonb)`;

type SignupRow = {
  client_count: number;
  client_window_start: Date;
  inbox_count: number | null;
  inbox_window_start: Date | null;
  outcome: SignupOutcome | null;
  outbox_id: string | null;
};

/**
 * Runs one signup as one statement on a connection from `pool`. Refused by a rate limit: the counts
 * are committed (every request that reaches a check counts) and nothing else is written.
 */
export async function runSignupStatements(pool: pg.Pool, limits: SignupLimits, input: SignupInput): Promise<SignupResult> {
  const { now } = input;
  const { rows } = await pool.query<SignupRow>(SIGNUP_SQL, [
    limits.client.key,
    limits.inbox.key,
    now,
    new Date(now.getTime() - limits.client.rule.windowMs),
    limits.client.rule.limit,
    new Date(now.getTime() - limits.inbox.rule.windowMs),
    limits.inbox.rule.limit,
    input.email,
    input.source,
    new Date(now.getTime() - input.resendIntervalMs),
    input.subscriberId,
    input.tokenId,
    input.tokenHash,
    input.tokenExpiresAt,
    SUPERSEDED_ERROR,
    input.outboxId,
    JSON.stringify(input.payload),
  ]);
  const row = rows[0];
  if (!row) throw new Error('newsletter_signup returned no row');
  const clientLimit = rateLimitResult(row.client_count, row.client_window_start, limits.client.rule, now);
  if (!clientLimit.allowed) return { refused: 'ip', limit: clientLimit };
  const inboxLimit = rateLimitResult(row.inbox_count ?? 0, row.inbox_window_start ?? now, limits.inbox.rule, now);
  if (!inboxLimit.allowed) return { refused: 'email', limit: inboxLimit };
  if (!row.outcome) throw new Error('newsletter_signup returned no outcome');
  return { refused: null, outcome: row.outcome, outboxIds: row.outbox_id ? [row.outbox_id] : [] };
}
