import 'server-only';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { env } from './env';
import { NO_STORE } from './http/cache-control';
import { isShuttingDown } from './lifecycle';
import { log } from './log';
import { keyedProcessSingleton } from './process-singleton';

/**
 * Liveness and readiness for the balancer and Kubernetes.
 *
 * Live: the process answers. Nothing else, so a database outage never gets every pod restarted.
 * Ready: this instance should receive traffic. False while shutting down, when the database does
 * not answer `SELECT 1` within a short timeout, or when a migration in prisma/migrations is not
 * recorded as finished in `_prisma_migrations` (a new version started before its migration Job).
 * Failing readiness only takes the instance out of the balancer.
 *
 * The check uses its own one-connection pool rather than the app's Prisma pool: a pool saturated
 * by traffic must not make every instance "unready" at once and turn load into an outage; what
 * readiness asks is whether the database itself answers.
 */

/**
 * `reason` is public (the probe's response body); `detail` (a driver error message, which may
 * name hosts) only goes to the log.
 */
export type Readiness = { ready: true } | { ready: false; reason: string; detail?: string };

export type ReadinessCheckOptions = {
  databaseUrl: string | undefined;
  /** Default: <cwd>/prisma/migrations (see readMigrationNames). */
  migrationsDir?: string;
  /** Connect + query budget. Default 2000 ms, under the probe's own timeout. */
  timeoutMs?: number;
  isShuttingDown?: () => boolean;
};

export type ReadinessCheck = {
  check(): Promise<Readiness>;
  close(): Promise<void>;
};

/**
 * Migration folder names, sorted, as the Prisma CLI and lib/db/migrate.ts read them. Default:
 * <cwd>/prisma/migrations (the standalone server chdirs to its own folder). The default path is
 * spelled out in the call so the build's file tracing sees it and ships prisma/migrations with
 * the standalone server; an explicit `dir` (tests) is opaque to the tracer on purpose.
 */
export function readMigrationNames(dir?: string): string[] {
  const entries = dir
    ? readdirSync(/* turbopackIgnore: true */ dir, { withFileTypes: true })
    : readdirSync(path.join(process.cwd(), 'prisma', 'migrations'), { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b));
}

const UNDEFINED_TABLE = '42P01';

async function pendingMigrations(client: pg.PoolClient, expected: string[]): Promise<string[]> {
  try {
    const { rows } = await client.query<{ migration_name: string }>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Set(rows.map((row) => row.migration_name));
    return expected.filter((name) => !applied.has(name));
  } catch (err) {
    // No migration has ever run on this database.
    if ((err as { code?: unknown }).code === UNDEFINED_TABLE) return expected;
    throw err;
  }
}

export function createReadinessCheck(options: ReadinessCheckOptions): ReadinessCheck {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const shuttingDown = options.isShuttingDown ?? isShuttingDown;
  let expected: string[] | undefined;
  // Once every migration has been seen applied it stays applied (this process's list is fixed),
  // so later checks only ask SELECT 1.
  let migrationsConfirmed = false;
  let pool: pg.Pool | undefined;

  const getPool = (url: string) => {
    if (!pool) {
      pool = new pg.Pool({
        connectionString: url,
        max: 1,
        idleTimeoutMillis: 30_000,
        connectionTimeoutMillis: timeoutMs,
        query_timeout: timeoutMs,
        allowExitOnIdle: true,
        application_name: 'publication-readiness',
      });
      // An idle connection dropped by the server emits 'error' on the pool; unhandled, it would
      // crash the process. The next check reconnects and reports the outcome.
      pool.on('error', () => {});
    }
    return pool;
  };

  return {
    async check() {
      if (shuttingDown()) return { ready: false, reason: 'shutting down' };
      if (!options.databaseUrl) return { ready: false, reason: 'database not configured (DATABASE_URL is not set)' };

      if (!expected) {
        try {
          expected = readMigrationNames(options.migrationsDir);
        } catch (err) {
          return { ready: false, reason: 'migrations list unavailable', detail: (err as Error).message };
        }
      }

      const client = await getPool(options.databaseUrl)
        .connect()
        .catch((err: unknown) => err as Error);
      if (client instanceof Error) return { ready: false, reason: 'database unreachable', detail: client.message };
      let broken = false;
      try {
        await client.query('SELECT 1');
        if (migrationsConfirmed || expected.length === 0) return { ready: true };
        const pending = await pendingMigrations(client, expected);
        if (pending.length > 0) return { ready: false, reason: `migrations pending: ${pending.join(', ')}` };
        migrationsConfirmed = true;
        return { ready: true };
      } catch (err) {
        broken = true; // do not hand a possibly broken connection back to the pool
        return { ready: false, reason: 'database unreachable', detail: (err as Error).message };
      } finally {
        client.release(broken);
      }
    },
    async close() {
      const current = pool;
      pool = undefined;
      await current?.end();
    },
  };
}

type HealthState = { check: ReadinessCheck; last: string | undefined };

function shared(): HealthState {
  return keyedProcessSingleton(
    'health',
    env.DATABASE_URL ?? '',
    () => ({ check: createReadinessCheck({ databaseUrl: env.DATABASE_URL }), last: undefined }),
    (previous) => void previous.check.close(),
  );
}

/**
 * Readiness of this process, for the route. Logs only changes (a probe every few seconds would
 * otherwise fill the log with the same line).
 */
export async function checkReadiness(): Promise<Readiness> {
  const state = shared();
  const result = await state.check.check();
  const summary = result.ready ? 'ready' : result.reason;
  if (summary !== state.last) {
    if (result.ready) log.info('readiness: ready');
    else if (result.reason === 'shutting down') log.info('readiness: not ready', { reason: result.reason });
    else log.warn('readiness: not ready', { reason: result.reason, detail: result.detail });
    state.last = summary;
  }
  return result;
}


export function liveResponse(): Response {
  return Response.json({ status: 'ok' }, { headers: NO_STORE });
}

export function readinessResponse(result: Readiness): Response {
  return result.ready
    ? Response.json({ status: 'ok' }, { headers: NO_STORE })
    : Response.json({ status: 'unavailable', reason: result.reason }, { status: 503, headers: NO_STORE });
}
