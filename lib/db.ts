import 'server-only';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client';
import { env } from './env';
import { keyedProcessSingleton, processSingleton } from './process-singleton';

/**
 * The one Prisma client. Nothing else constructs a PrismaClient.
 *
 * Importing this module never connects and never throws: the client is created on first use,
 * so pages that do not touch the database build and serve without DATABASE_URL. Without it, the
 * first query throws DatabaseNotConfiguredError, which `isDatabaseUnavailableError` recognises
 * (answer 503). Prisma 7 has no query engine binary: queries are compiled in WebAssembly and
 * sent through @prisma/adapter-pg (node-postgres), to a real server or to the embedded PGlite.
 */

export class DatabaseNotConfiguredError extends Error {
  constructor() {
    super('DATABASE_URL is not set (npm run dev starts an embedded database and sets it)');
    this.name = 'DatabaseNotConfiguredError';
  }
}


/**
 * How long getting a connection may take: connecting, or waiting for a free one in the pool.
 * pg's default is forever, so a database that accepts connections and never answers (a network
 * partition, a wedged server) hung every signup instead of answering 503. 10 s is what the
 * newsletter's interactive transactions already wait for a connection (service.ts maxWait), so
 * a burst of signups still queues rather than failing.
 */
export const CONNECTION_TIMEOUT_MS = 10_000;

// The pool behind each client, for the few hot paths that send plain SQL (lib/newsletter/signup-statements.ts).
// Process-wide like the client itself: Next bundles every route with its own copy of this module,
// and a route's getDb() may answer the client another bundle created.
const pools = processSingleton('prisma.pools', () => new WeakMap<PrismaClient, pg.Pool>());

/**
 * `connection_limit` in the URL (Prisma's own name for it) caps the pool; pg ignores the
 * parameter itself. The embedded PGlite's URL sets it to 1 (see lib/db/embedded.ts).
 */
export function createPrismaClient(connectionString: string): PrismaClient {
  const limit = Number(new URL(connectionString).searchParams.get('connection_limit'));
  const max = Number.isInteger(limit) && limit > 0 ? limit : undefined;
  const pool = new pg.Pool({ connectionString, connectionTimeoutMillis: CONNECTION_TIMEOUT_MS, ...(max ? { max } : {}) });
  // An idle connection the server drops emits 'error' on the pool, fatal without a listener;
  // the next query on it reports the problem instead (and the pool replaces the connection).
  pool.on('error', () => {});
  // disposeExternalPool: $disconnect() still closes the pool, as when the adapter owned it.
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(client, pool);
  return client;
}

/**
 * The pg pool under `client`'s adapter (one pool: the same connections and limit as its Prisma
 * queries). Plain SQL on it skips Prisma's per-query work; only for statements that earn it.
 */
export function poolOf(client: PrismaClient): pg.Pool {
  const pool = pools.get(client);
  if (!pool) throw new Error('poolOf: this client was not made by createPrismaClient');
  return pool;
}

/** The shared client, created on first call. Throws DatabaseNotConfiguredError without DATABASE_URL. */
export function getDb(): PrismaClient {
  const url = env.DATABASE_URL;
  if (!url) throw new DatabaseNotConfiguredError();
  // One client per process (per URL): hot reloads and separate bundles must not multiply the pool.
  return keyedProcessSingleton('prisma', url, () => createPrismaClient(url));
}

// Node error codes meaning "could not reach / lost the server".
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

// Prisma's codes for the same: can't reach server, timeouts, server closed the connection, pool
// timeout, and the driver adapter's "connection closed"/"socket timeout" family.
const PRISMA_UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2037']);

// Postgres SQLSTATEs: class 08 (connection exception), 57P01-57P03 (admin shutdown, crash
// shutdown, cannot connect now), 53300 (too many connections).
function isUnavailableSqlState(code: string): boolean {
  return /^08/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

const UNAVAILABLE_MESSAGE = /ECONNREFUSED|ETIMEDOUT|ECONNRESET|Connection terminated|Server has closed the connection|Client has encountered a connection error|connection timeout|timeout exceeded when trying to connect|Can't reach database server|Too many connections|the database system is (starting up|shutting down)|DatabaseNotReachable|DatabaseNotConfigured|SocketTimeout|ConnectionClosed/i;

/**
 * True when `err` (or anything in its `cause` chain) means the database could not be reached or
 * is not configured, as opposed to a bad query or a constraint violation. Route handlers answer
 * such errors with 503 (and log them); everything else stays a 500 or a domain error.
 */
export function isDatabaseUnavailableError(err: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if (current instanceof DatabaseNotConfiguredError) return true;
    const { name, code, errorCode, message, kind, cause, errors } = current as {
      name?: unknown;
      code?: unknown;
      errorCode?: unknown;
      message?: unknown;
      kind?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    // PrismaClientInitializationError: the client could not start talking to the database.
    if (name === 'PrismaClientInitializationError') return true;
    for (const candidate of [code, errorCode]) {
      if (typeof candidate !== 'string') continue;
      if (CONNECTION_ERROR_CODES.has(candidate) || PRISMA_UNAVAILABLE_CODES.has(candidate)) return true;
      if (/^[0-9A-Z]{5}$/.test(candidate) && isUnavailableSqlState(candidate)) return true;
    }
    // Driver adapter errors carry a `kind` (e.g. DatabaseNotReachable, SocketTimeout).
    if (typeof kind === 'string' && UNAVAILABLE_MESSAGE.test(kind)) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
    // AggregateError (Node's happy-eyeballs connect): unavailable if any part is.
    if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailableError(inner))) return true;
    current = cause;
  }
  return false;
}
