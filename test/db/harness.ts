import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPrismaClient } from '@/lib/db';
import { startEmbeddedPostgres } from '@/lib/db/embedded';
import { applyMigrations } from '@/lib/db/migrate';
import type { PrismaClient } from '@/lib/generated/prisma/client';

/**
 * Databases for integration tests.
 *
 * createTestDatabase(): a fresh, uniquely named database on the real Postgres server
 * (TEST_DATABASE_ADMIN_URL, default postgresql://postgres@127.0.0.1:5432/postgres), migrated
 * with the same applyMigrations the app uses, so runs (and parallel test files) never see each
 * other's rows. createEmbeddedTestDatabase(): the same, on an in-memory PGlite.
 *
 *   const database = await createTestDatabase();
 *   afterAll(() => database.drop());
 *   await database.prisma.subscriber.create({ ... });
 */

export const DEFAULT_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const PREFIX = 'pubtest_';
// Databases left by runs that crashed before drop() are removed once this old.
const STALE_AFTER_SECONDS = 6 * 60 * 60;

export type TestDatabase = {
  /** Connection string of the new database. */
  url: string;
  /** Its name (empty for the embedded one). */
  name: string;
  /** A Prisma client (adapter-pg) connected to it. */
  prisma: PrismaClient;
  /** Migrations applied when it was created. */
  appliedMigrations: string[];
  /** Disconnects and deletes the database. Safe to call twice. */
  drop(): Promise<void>;
};

export type CreateTestDatabaseOptions = {
  /** Apply prisma/migrations (default true). */
  migrate?: boolean;
  /** A migrations folder other than prisma/migrations. */
  migrationsDir?: string;
  adminUrl?: string;
};

export function adminUrl(): string {
  return process.env.TEST_DATABASE_ADMIN_URL?.trim() || DEFAULT_ADMIN_URL;
}

/** `url` with its database name replaced, query string (sslmode, ...) kept. */
export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
}

async function withAdmin<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `Cannot reach the test Postgres at ${url} (${(err as Error).message}). Start it ` +
        '(pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set TEST_DATABASE_ADMIN_URL.',
      { cause: err },
    );
  }
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function dropDatabase(client: pg.Client, name: string): Promise<void> {
  // Terminate stragglers first (a pool a test forgot to close): DROP DATABASE refuses while any
  // session is connected. Spelled out rather than WITH (FORCE) so servers before 13 work too.
  await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
    name,
  ]);
  await client.query(`DROP DATABASE IF EXISTS "${name}"`);
}

async function dropStaleDatabases(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
    `${PREFIX}%`,
  ]);
  const now = Math.floor(Date.now() / 1000);
  for (const { datname } of rows) {
    const created = Number(datname.slice(PREFIX.length).split('_')[0]);
    if (Number.isFinite(created) && now - created > STALE_AFTER_SECONDS) {
      await dropDatabase(client, datname).catch(() => {});
    }
  }
}

export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const admin = options.adminUrl ?? adminUrl();
  // Creation time in the name lets a later run clean up after a crashed one.
  const name = `${PREFIX}${Math.floor(Date.now() / 1000)}_${randomBytes(6).toString('hex')}`;
  await withAdmin(admin, async (client) => {
    await dropStaleDatabases(client);
    await client.query(`CREATE DATABASE "${name}"`);
  });

  const url = withDatabaseName(admin, name);
  let prisma: PrismaClient | undefined;
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await prisma?.$disconnect().catch(() => {});
    await withAdmin(admin, (client) => dropDatabase(client, name));
  };

  try {
    const appliedMigrations =
      options.migrate === false ? [] : await applyMigrations(url, { migrationsDir: options.migrationsDir });
    prisma = createPrismaClient(url);
    return { url, name, prisma, appliedMigrations, drop };
  } catch (err) {
    await drop();
    throw err;
  }
}

/** The same shape on an in-memory PGlite served over a socket: no server needed. */
export async function createEmbeddedTestDatabase(
  options: Omit<CreateTestDatabaseOptions, 'adminUrl'> = {},
): Promise<TestDatabase> {
  const embedded = await startEmbeddedPostgres({ dataDir: 'memory://' });
  let prisma: PrismaClient | undefined;
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await prisma?.$disconnect().catch(() => {});
    await embedded.stop();
  };
  try {
    const appliedMigrations =
      options.migrate === false
        ? []
        : await applyMigrations(embedded.connectionString, { migrationsDir: options.migrationsDir });
    prisma = createPrismaClient(embedded.connectionString);
    return { url: embedded.connectionString, name: '', prisma, appliedMigrations, drop };
  } catch (err) {
    await drop();
    throw err;
  }
}
