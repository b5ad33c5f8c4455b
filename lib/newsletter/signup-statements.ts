import type pg from 'pg';
import { rateLimitResult, type RateLimitResult, type RateLimitRule } from './rate-limit';

/**
 * One signup in three statements on one pooled connection (BEGIN … COMMIT), instead of an
 * interactive Prisma transaction of a dozen: at signup rates, round trips and per-query client
 * overhead were the cost, not Postgres. Plain SQL through the adapter's own pg pool
 * (lib/db.ts poolOf), so the bench's bare node:http floor runs exactly these statements.
 *
 *   1. LIMITS: both rate-limit buckets (per client, then per inbox, counted only if the client
 *      passed, as before), and, if both pass, the inbox's advisory lock.
 *   2. SIGNUP: one CTE that reads (suppression, other spellings of the inbox, the row itself,
 *      locked) and writes (the subscriber, its token, the superseded confirmations, the outbox row).
 *
 * Why the lock is its own statement: under READ COMMITTED each statement reads from a snapshot
 * taken when it starts. The SIGNUP statement starts after the lock is held, so it sees every
 * signup for the inbox that committed before; a lock taken inside the same statement would not.
 * The buckets' row locks are held to COMMIT; every signup takes them in one order (client, inbox,
 * advisory lock), so they cannot deadlock.
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

const LIMITS_SQL = `
WITH client AS (
  INSERT INTO rate_limit_buckets AS bucket (key, window_start, count) VALUES ($1, $3::timestamptz, 1)
  ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN bucket.window_start <= $4::timestamptz THEN 1 ELSE bucket.count + 1 END,
    window_start = CASE WHEN bucket.window_start <= $4::timestamptz THEN $3::timestamptz ELSE bucket.window_start END
  RETURNING count, window_start
), inbox AS (
  -- Counted only when the client is within its limit (a refused request stops at the first check).
  INSERT INTO rate_limit_buckets AS bucket (key, window_start, count)
  SELECT $2, $3::timestamptz, 1 FROM client WHERE client.count <= $5
  ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN bucket.window_start <= $6::timestamptz THEN 1 ELSE bucket.count + 1 END,
    window_start = CASE WHEN bucket.window_start <= $6::timestamptz THEN $3::timestamptz ELSE bucket.window_start END
  RETURNING count, window_start
), lock AS (
  -- Signups for one inbox take turns (whatever their spelling), held to COMMIT.
  SELECT pg_advisory_xact_lock(hashtextextended(canonical_inbox($8), 0)) FROM inbox WHERE inbox.count <= $7
)
SELECT client.count AS client_count, client.window_start AS client_window_start,
       inbox.count AS inbox_count, inbox.window_start AS inbox_window_start,
       (SELECT count(*) FROM lock) AS locked
FROM client LEFT JOIN inbox ON true`;

/**
 * The CONFIRMATION outbox row, inserted for each row of `fromCte` (its subscriber_id column): the
 * one place the subscribe path names the outbox's columns. $1 is the address, $10 the row id,
 * $11 the payload, $3 now, $8 the token id (its dedupe key).
 */
function confirmationOutboxInsert(fromCte: string): string {
  return `
  INSERT INTO outbox_emails (id, kind, subscriber_id, to_address, payload, dedupe_key, next_attempt_at, created_at)
  SELECT $10::uuid, 'CONFIRMATION'::outbox_kind, subscriber_id, $1, $11::jsonb, 'confirmation:' || $8, $3::timestamptz, $3::timestamptz
  FROM ${fromCte}
  RETURNING id::text AS id`;
}

const SIGNUP_SQL = `
WITH suppressed AS (
  -- A suppressed address (hard bounce, complaint) gets no email and no row; the answer is the same.
  SELECT EXISTS (SELECT 1 FROM suppressions WHERE email = $1::text) AS yes
), sibling AS (
  -- Another spelling of the same inbox that already covers this signup.
  SELECT bool_or(status = 'CONFIRMED') AS confirmed,
         bool_or(status = 'PENDING' AND last_confirmation_sent_at > $4::timestamptz) AS pending_recent
  FROM subscribers WHERE inbox = canonical_inbox($1) AND email <> $1
), existing AS (
  -- Locked, so a concurrent confirm or unsubscribe of this row finishes first.
  SELECT id, status, last_confirmation_sent_at FROM subscribers WHERE email = $1 FOR UPDATE
), decision AS (
  SELECT existing.id AS existing_id,
    CASE
      WHEN suppressed.yes THEN 'suppressed'
      WHEN sibling.confirmed THEN 'inbox-confirmed'
      WHEN sibling.pending_recent THEN 'inbox-pending-throttled'
      WHEN existing.id IS NULL THEN 'new'
      WHEN existing.status = 'CONFIRMED' THEN 'already-confirmed'
      WHEN existing.status = 'PENDING' AND existing.last_confirmation_sent_at > $4::timestamptz THEN 'pending-throttled'
      WHEN existing.status = 'PENDING' THEN 'pending-resent'
      ELSE 'resubscribed' -- UNSUBSCRIBED: the normal double opt-in again
    END AS outcome
  FROM suppressed CROSS JOIN sibling LEFT JOIN existing ON true
), inserted AS (
  -- DO NOTHING: a row written by something that does not take the lock makes this insert nothing
  -- (then no outbox row below, and the caller runs the statement again: it sees that row).
  INSERT INTO subscribers (id, email, status, source, created_at, updated_at, last_confirmation_sent_at)
  SELECT $5::uuid, $1, 'PENDING'::subscriber_status, $2::text, $3::timestamptz, $3::timestamptz, $3::timestamptz
  FROM decision WHERE outcome = 'new'
  ON CONFLICT (email) DO NOTHING
  RETURNING id
), updated AS (
  UPDATE subscribers AS s SET
    status = 'PENDING'::subscriber_status,
    last_confirmation_sent_at = $3::timestamptz,
    updated_at = $3::timestamptz,
    source = CASE WHEN d.outcome = 'resubscribed' THEN $2::text ELSE s.source END,
    confirmed_at = CASE WHEN d.outcome = 'resubscribed' THEN NULL ELSE s.confirmed_at END,
    unsubscribed_at = CASE WHEN d.outcome = 'resubscribed' THEN NULL ELSE s.unsubscribed_at END
  FROM decision AS d
  WHERE s.id = d.existing_id AND d.outcome IN ('pending-resent', 'resubscribed')
  RETURNING s.id
), target AS (
  SELECT id FROM inserted UNION ALL SELECT id FROM updated
), token AS (
  INSERT INTO confirmation_tokens (id, subscriber_id, token_hash, expires_at, created_at)
  SELECT $8::uuid, id, $9, $6::timestamptz, $3::timestamptz FROM target
  RETURNING subscriber_id
), superseded AS (
  -- Runs although nothing reads it (Postgres runs every data-modifying CTE). It cannot see the row
  -- inserted below: all parts of one statement read the same snapshot.
  UPDATE outbox_emails
  SET status = 'CANCELLED'::outbox_status, payload = payload - 'sealedToken', last_error = $7
  WHERE subscriber_id IN (SELECT id FROM target) AND kind = 'CONFIRMATION' AND status = 'QUEUED'
), outbox AS (${confirmationOutboxInsert('token')}
)
SELECT decision.outcome, (SELECT id FROM outbox) AS outbox_id FROM decision`;

type LimitsRow = {
  client_count: number;
  client_window_start: Date;
  inbox_count: number | null;
  inbox_window_start: Date | null;
  locked: string;
};

/** The outcomes that must have written an outbox row; without one, a concurrent unlocked insert won. */
const ISSUES_CONFIRMATION: ReadonlySet<SignupOutcome> = new Set(['new', 'pending-resent', 'resubscribed']);

/**
 * Runs one signup in its own transaction on a connection from `pool`. Refused by a rate limit: the
 * counts are committed (every request that reaches a check counts) and nothing else is written.
 */
export async function runSignupStatements(pool: pg.Pool, limits: SignupLimits, input: SignupInput): Promise<SignupResult> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const { now } = input;
    const { rows } = await client.query<LimitsRow>(LIMITS_SQL, [
      limits.client.key,
      limits.inbox.key,
      now,
      new Date(now.getTime() - limits.client.rule.windowMs),
      limits.client.rule.limit,
      new Date(now.getTime() - limits.inbox.rule.windowMs),
      limits.inbox.rule.limit,
      input.email,
    ]);
    const row = rows[0];
    if (!row) throw new Error('rate limit upsert returned no row');
    const clientLimit = rateLimitResult(row.client_count, row.client_window_start, limits.client.rule, now);
    if (!clientLimit.allowed) return await commit(client, { refused: 'ip', limit: clientLimit });
    const inboxLimit = rateLimitResult(row.inbox_count ?? 0, row.inbox_window_start ?? now, limits.inbox.rule, now);
    if (!inboxLimit.allowed) return await commit(client, { refused: 'email', limit: inboxLimit });

    const params = [
      input.email,
      input.source,
      now,
      new Date(now.getTime() - input.resendIntervalMs),
      input.subscriberId,
      input.tokenExpiresAt,
      SUPERSEDED_ERROR,
      input.tokenId,
      input.tokenHash,
      input.outboxId,
      JSON.stringify(input.payload),
    ];
    for (let attempt = 0; ; attempt += 1) {
      const signup = await client.query<{ outcome: SignupOutcome; outbox_id: string | null }>(SIGNUP_SQL, params);
      const { outcome, outbox_id: outboxId } = signup.rows[0]!;
      if (!ISSUES_CONFIRMATION.has(outcome) || outboxId !== null) {
        return await commit(client, { refused: null, outcome, outboxIds: outboxId ? [outboxId] : [] });
      }
      // The insert met a row committed without the lock: a new statement (a new snapshot) sees it.
      if (attempt >= 2) throw new Error(`signup statement wrote no confirmation for outcome ${outcome}`);
    }
  } catch (err) {
    broken = await client.query('ROLLBACK').then(
      () => undefined,
      (rollbackErr: Error) => rollbackErr,
    );
    throw err;
  } finally {
    // A connection whose ROLLBACK failed is in an unknown state: the pool closes it.
    client.release(broken);
  }
}

async function commit(client: pg.PoolClient, result: SignupResult): Promise<SignupResult> {
  await client.query('COMMIT');
  return result;
}
