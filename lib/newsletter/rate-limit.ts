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
  /** Per client IP: 10 signups per 10 minutes. Room for a household or an office behind one NAT
   * fixing typos; a script posting addresses in bulk hits the wall after ten. */
  ip: { limit: 10, windowMs: 10 * 60_000 },
  /** Requests without a usable client IP (no X-Forwarded-For: no proxy in front) all share one
   * key, so its cap is a flood guard for the whole site rather than a per-person limit. */
  unknownIp: { limit: 100, windowMs: 10 * 60_000 },
  /** Per address: 3 per hour, so nobody can flood someone else's inbox through the form (the
   * 10-minute resend throttle for pending addresses already limits the emails themselves). */
  email: { limit: 3, windowMs: 60 * 60_000 },
} as const satisfies Record<string, RateLimitRule>;

/** Buckets whose window ended this long ago are deleted by the worker's cleanup. */
export const RATE_LIMIT_BUCKET_RETENTION_MS = 24 * 60 * 60_000;

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
  const count = Number(row.count);
  const resetsAt = new Date(row.windowStart).getTime() + rule.windowMs;
  return {
    allowed: count <= rule.limit,
    count,
    retryAfterSeconds: Math.max(1, Math.ceil((resetsAt - now.getTime()) / 1000)),
  };
}

/** Deletes buckets whose window ended more than RATE_LIMIT_BUCKET_RETENTION_MS ago. */
export async function deleteExpiredRateLimitBuckets(db: Queryable & Pick<PrismaClient, '$executeRaw'>, now: Date = new Date()): Promise<number> {
  // The longest window is an hour; a day of margin keeps this independent of the rules above.
  const before = new Date(now.getTime() - RATE_LIMIT_BUCKET_RETENTION_MS);
  return db.$executeRaw`DELETE FROM rate_limit_buckets WHERE window_start < ${before}::timestamptz`;
}
