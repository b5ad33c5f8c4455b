import type { Prisma, PrismaClient } from '../generated/prisma/client';

/**
 * Fixed-window rate limits kept in Postgres, so every app instance counts against the same rows.
 * One bucket costs ONE statement: an INSERT … ON CONFLICT … DO UPDATE that starts a new window
 * when the stored one has passed and otherwise adds one, returning the count. Postgres serialises
 * concurrent upserts of one key on its row lock, so no increment is lost and nothing races between
 * a read and a write. Every request that reaches the check counts, including refused ones: a client
 * that keeps hammering stays limited.
 */

export type RateLimitRule = { limit: number; windowMs: number };

export const SUBSCRIBE_RATE_LIMITS = {
  /** Per client address (an IPv4 address or an IPv6 /64): 10 signups per 10 minutes. Room for a
   * household or an office behind one NAT fixing typos; a script posting addresses in bulk hits the
   * wall after ten. */
  ip: { limit: 10, windowMs: 10 * 60_000 },
  /** Per inbox (lib/newsletter/inbox.ts, whatever the spelling): 3 per hour, so nobody can flood
   * someone else's inbox through the form with v.ictim+1@…, v.ictim+2@… */
  email: { limit: 3, windowMs: 60 * 60_000 },
} as const satisfies Record<string, RateLimitRule>;

/**
 * Per client address on the routes that take a token. Tokens are 256-bit, so these guard the
 * database rather than the tokens. Unsubscribe is generous: RFC 8058 one-click POSTs come from a
 * mail provider's few servers on behalf of all its users, and a refused unsubscribe is the worst
 * failure a newsletter can have. Webhooks come from Svix's few servers and are retried on a 429.
 */
export const TOKEN_ROUTE_RATE_LIMITS = {
  confirm: { limit: 30, windowMs: 10 * 60_000 },
  unsubscribe: { limit: 600, windowMs: 10 * 60_000 },
  data: { limit: 20, windowMs: 10 * 60_000 },
  preferences: { limit: 60, windowMs: 10 * 60_000 },
  webhook: { limit: 1_200, windowMs: 60_000 },
} as const satisfies Record<string, RateLimitRule>;

export type TokenRoute = keyof typeof TOKEN_ROUTE_RATE_LIMITS;

/**
 * Requests whose client address is unknown (they reached the server while it was starting) share
 * one bucket per route, so its cap is a flood guard for the whole site: ten times the room.
 */
export function ruleFor(rule: RateLimitRule, subject: string): RateLimitRule {
  return subject === 'unknown' ? { limit: rule.limit * 10, windowMs: rule.windowMs } : rule;
}

/** Data-link emails one subscriber can be sent: a forwarded newsletter's link cannot flood the inbox. */
export const DATA_LINK_RATE_LIMIT: RateLimitRule = { limit: 3, windowMs: 60 * 60_000 };

/** Buckets whose window ended this long ago are deleted by the worker's cleanup. */
export const RATE_LIMIT_BUCKET_RETENTION_MS = 24 * 60 * 60_000;

/** Rows one cleanup statement deletes: a backlog is worked off in short statements, not one long lock. */
export const RATE_LIMIT_CLEANUP_BATCH = 5_000;
/** Statements one cleanup runs at most (the next cleanup, 10 minutes later, goes on). */
export const RATE_LIMIT_CLEANUP_MAX_BATCHES = 20;

export type RateLimitResult = {
  allowed: boolean;
  count: number;
  /** Seconds until the window resets (at least 1); meaningful when !allowed. */
  retryAfterSeconds: number;
};

type Queryable = Pick<PrismaClient, '$queryRaw'> | Pick<Prisma.TransactionClient, '$queryRaw'>;

export async function consumeRateLimit(
  db: Queryable,
  key: string,
  rule: RateLimitRule,
  now: Date = new Date(),
): Promise<RateLimitResult> {
  const expiredBefore = new Date(now.getTime() - rule.windowMs);
  const rows = await db.$queryRaw<{ count: number; windowStart: Date }[]>`
    INSERT INTO rate_limit_buckets AS bucket (key, window_start, count)
    VALUES (${key}, ${now}::timestamptz, 1)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN bucket.window_start <= ${expiredBefore}::timestamptz THEN 1 ELSE bucket.count + 1 END,
      window_start = CASE WHEN bucket.window_start <= ${expiredBefore}::timestamptz THEN ${now}::timestamptz ELSE bucket.window_start END
    RETURNING count, window_start AS "windowStart"`;
  const row = rows[0];
  if (!row) throw new Error('rate limit upsert returned no row');
  return rateLimitResult(row.count, row.windowStart, rule, now);
}

/** A bucket's state after counting one request (the upsert's RETURNING), as a verdict. */
export function rateLimitResult(count: number | string, windowStart: Date | string, rule: RateLimitRule, now: Date): RateLimitResult {
  const n = Number(count);
  const resetsAt = new Date(windowStart).getTime() + rule.windowMs;
  return {
    allowed: n <= rule.limit,
    count: n,
    retryAfterSeconds: Math.max(1, Math.ceil((resetsAt - now.getTime()) / 1000)),
  };
}

/**
 * Deletes buckets whose window ended more than RATE_LIMIT_BUCKET_RETENTION_MS ago, in batches of
 * `batchSize` (at most `maxBatches` of them), so a flood's million buckets never hold one long lock.
 */
export async function deleteExpiredRateLimitBuckets(
  db: Queryable & Pick<PrismaClient, '$executeRaw'>,
  now: Date = new Date(),
  { batchSize = RATE_LIMIT_CLEANUP_BATCH, maxBatches = RATE_LIMIT_CLEANUP_MAX_BATCHES } = {},
): Promise<number> {
  // The longest window is an hour; a day of margin keeps this independent of the rules above.
  const before = new Date(now.getTime() - RATE_LIMIT_BUCKET_RETENTION_MS);
  let deleted = 0;
  for (let batch = 0; batch < maxBatches; batch += 1) {
    const count = await db.$executeRaw`
      DELETE FROM rate_limit_buckets WHERE key IN (
        SELECT key FROM rate_limit_buckets WHERE window_start < ${before}::timestamptz LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`;
    deleted += count;
    if (count < batchSize) break;
  }
  return deleted;
}
