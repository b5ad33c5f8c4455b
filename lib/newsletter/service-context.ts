import 'server-only';
import { getDb, isDatabaseUnavailableError } from '../db';
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import type { ClientAddress } from '../http/client-address';
import { rateLimitSubject } from '../http/client-address';
import { InvalidSubscriptionError, NewsletterUnavailableError, RateLimitedError, type RateLimitScope } from './errors';
import { log } from './log';
import { countRateLimitRefusal } from '../metrics/registry';
import { consumeRateLimit, ruleFor, TOKEN_ROUTE_RATE_LIMITS, type RateLimitRule, type TokenRoute } from './rate-limit';
import { keyedDigest } from './tokens';

/** What every newsletter service function shares: its options, the database, the limits. */

export type ServiceOptions = {
  /** Default: the shared client from lib/db.ts. */
  db?: PrismaClient;
  /** Clock (tests step it). */
  now?: () => Date;
  /** Send new outbox rows right after the commit (default true). */
  sendImmediately?: boolean;
  /** Who is asking (lib/http/client-address.ts); rate limits count per client. Default: unknown. */
  client?: ClientAddress;
};

export type Tx = Prisma.TransactionClient;

/**
 * Interactive transactions wait up to 10 s for a pooled connection (Prisma's default is 2 s): a
 * burst of signups queues briefly instead of failing with P2028. Each holds its connection for a
 * handful of short statements.
 */
export const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

export function nowOf(options: ServiceOptions): Date {
  return (options.now ?? (() => new Date()))();
}

/** Maps "cannot reach the database" to NewsletterUnavailableError('database'), logging the real error. */
export async function withDatabase<T>(operation: string, options: ServiceOptions, run: (db: PrismaClient) => Promise<T>): Promise<T> {
  try {
    return await run(options.db ?? getDb());
  } catch (err) {
    if (err instanceof NewsletterUnavailableError || err instanceof RateLimitedError || err instanceof InvalidSubscriptionError) throw err;
    if (isDatabaseUnavailableError(err)) {
      log.warn('database-unavailable', { operation, err });
      throw new NewsletterUnavailableError('database', { cause: err });
    }
    throw err;
  }
}

type Queryable = Pick<PrismaClient, '$queryRaw'> | Pick<Tx, '$queryRaw'>;

/** Counts one request against `key`; throws RateLimitedError past the rule. Keys hold no address in clear. */
export async function enforceRateLimit(
  db: Queryable,
  { key, rule, scope, now }: { key: string; rule: RateLimitRule; scope: RateLimitScope; now: Date },
): Promise<void> {
  const result = await consumeRateLimit(db, key, rule, now);
  if (result.allowed) return;
  log.info('rate-limited', { scope, retryAfterSeconds: result.retryAfterSeconds });
  countRateLimitRefusal(key, scope);
  throw new RateLimitedError(result.retryAfterSeconds, scope);
}

/** The rate-limit key of a client for `purpose` ("subscribe", "confirm", …): a keyed hash of its subject. */
export function clientKey(purpose: string, client: ClientAddress | undefined, secret: string): { key: string; subject: string } {
  const subject = rateLimitSubject(client ?? { kind: 'unknown' });
  return { key: `${purpose}:ip:${keyedDigest(secret, 'ip', subject)}`, subject };
}

/** The per-client limit of a route that takes a token (confirm, unsubscribe, data, webhook). */
export async function enforceTokenRouteLimit(db: Queryable, route: TokenRoute, options: ServiceOptions, secret: string): Promise<void> {
  const { key, subject } = clientKey(route, options.client, secret);
  await enforceRateLimit(db, { key, rule: ruleFor(TOKEN_ROUTE_RATE_LIMITS[route], subject), scope: 'ip', now: nowOf(options) });
}
