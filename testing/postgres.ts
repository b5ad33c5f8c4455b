/**
 * Temporary databases on the real Postgres server, for tests, checks and benchmarks: each run
 * makes its own (never sees another's rows) and drops it after. The creation time is in the name,
 * so a later run drops what a crashed one left (older than 6 hours).
 *
 *   const database = await createDatabase();            // on TEST_DATABASE_ADMIN_URL's server
 *   try { ... database.url ... } finally { await database.drop(); }
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const STALE_AFTER_SECONDS = 6 * 60 * 60;

/** The server tests create their databases on: TEST_DATABASE_ADMIN_URL, else the local one. */
export function adminUrl(): string {
  return process.env.TEST_DATABASE_ADMIN_URL?.trim() || DEFAULT_ADMIN_URL;
}

/** `url` with its database name replaced, query string (sslmode, ...) kept. */
export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
}

/** Runs `run` with a connection to the server's admin database (to create or drop databases). */
export async function withAdmin<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
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
    await client.end().catch(() => {});
  }
}

async function dropDatabase(client: pg.Client, name: string): Promise<void> {
  // Terminate stragglers first (a pool someone forgot to close, a killed server's connections):
  // DROP DATABASE refuses while any session is connected. Spelled out rather than WITH (FORCE) so
  // servers before 13 work too.
  await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  await client.query(`DROP DATABASE IF EXISTS "${name}"`);
}

async function dropStaleDatabases(client: pg.Client, prefix: string): Promise<void> {
  const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${prefix}\\_%`]);
  const now = Math.floor(Date.now() / 1000);
  for (const { datname } of rows) {
    const created = Number(datname.slice(prefix.length + 1).split('_')[0]);
    if (Number.isFinite(created) && now - created > STALE_AFTER_SECONDS) await dropDatabase(client, datname).catch(() => {});
  }
}

export type TemporaryDatabase = {
  name: string;
  url: string;
  /** Deletes the database (its connections are cut first). Safe to call twice. */
  drop(): Promise<void>;
};

export type CreateDatabaseOptions = {
  /** The server (its admin database); default adminUrl(). */
  adminUrl?: string;
  /** Name prefix (default `pubtest`): the name is `<prefix>_<unix seconds>_<random>`. */
  prefix?: string;
};

/** A new, empty database on the server; drops that server's stale `<prefix>_*` databases on the way. */
export async function createDatabase(options: CreateDatabaseOptions = {}): Promise<TemporaryDatabase> {
  const admin = options.adminUrl ?? adminUrl();
  const prefix = options.prefix ?? 'pubtest';
  const name = `${prefix}_${Math.floor(Date.now() / 1000)}_${randomBytes(6).toString('hex')}`;
  await withAdmin(admin, async (client) => {
    await dropStaleDatabases(client, prefix);
    await client.query(`CREATE DATABASE "${name}"`);
  });
  let dropped = false;
  return {
    name,
    url: withDatabaseName(admin, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(admin, (client) => dropDatabase(client, name));
    },
  };
}
