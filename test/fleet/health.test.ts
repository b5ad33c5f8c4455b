import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, DEFAULT_MIGRATIONS_DIR } from '@/lib/db/migrate';
import { createReadinessCheck, liveResponse, readinessResponse, readMigrationNames, type ReadinessCheck } from '@/lib/health';
import { createTestDatabase, type TestDatabase } from '../db/harness';

/** Readiness against the real Postgres: what takes an instance out of the balancer, and why. */

const checks: ReadinessCheck[] = [];
function readiness(options: Parameters<typeof createReadinessCheck>[0]): ReadinessCheck {
  const check = createReadinessCheck({ isShuttingDown: () => false, ...options });
  checks.push(check);
  return check;
}

let database: TestDatabase;
let scratch: string;
const INIT = readMigrationNames(DEFAULT_MIGRATIONS_DIR);

beforeAll(async () => {
  database = await createTestDatabase({ migrate: false });
  scratch = await mkdtemp(path.join(os.tmpdir(), 'health-test-'));
}, 60_000);

afterAll(async () => {
  await Promise.all(checks.map((check) => check.close()));
  await database?.drop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** prisma/migrations plus one more migration, as the next version of the app would ship it. */
async function migrationsWithExtra(name: string): Promise<string> {
  const dir = path.join(scratch, name);
  await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  await mkdir(path.join(dir, name));
  await writeFile(path.join(dir, name, 'migration.sql'), `CREATE TABLE "${name}" ("id" INTEGER PRIMARY KEY);\n`);
  return dir;
}

describe('readMigrationNames', () => {
  it('lists the migration folders of prisma/migrations in order', () => {
    expect(INIT.length).toBeGreaterThan(0);
    expect(INIT).toEqual([...INIT].sort());
    for (const name of INIT) expect(name).toMatch(/^\d{14}_[a-z0-9_]+$/);
  });
});

describe('createReadinessCheck', () => {
  it('is not ready while shutting down, whatever the database says', async () => {
    const check = createReadinessCheck({ databaseUrl: database.url, isShuttingDown: () => true });
    expect(await check.check()).toEqual({ ready: false, reason: 'shutting down' });
  });

  it('is not ready without DATABASE_URL', async () => {
    const result = await readiness({ databaseUrl: undefined }).check();
    expect(result).toMatchObject({ ready: false, reason: expect.stringMatching(/^database not configured/) });
  });

  it('names every pending migration on a database never migrated, then turns ready once they are applied', async () => {
    const check = readiness({ databaseUrl: database.url });
    expect(await check.check()).toEqual({ ready: false, reason: `migrations pending: ${INIT.join(', ')}` });
    await applyMigrations(database.url);
    expect(await check.check()).toEqual({ ready: true });
  });

  it('names the migration a new version brings until it is applied (the Job has not run yet)', async () => {
    await applyMigrations(database.url);
    const dir = await migrationsWithExtra('29990101000000_next_version');
    const check = readiness({ databaseUrl: database.url, migrationsDir: dir });
    expect(await check.check()).toEqual({ ready: false, reason: 'migrations pending: 29990101000000_next_version' });
    await applyMigrations(database.url, { migrationsDir: dir });
    expect(await check.check()).toEqual({ ready: true });
    // The previous version (without that migration) stays ready on the newer schema: expand/contract.
    expect(await readiness({ databaseUrl: database.url }).check()).toEqual({ ready: true });
  });

  it('counts a migration that failed or was rolled back as pending', async () => {
    await applyMigrations(database.url);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const name = INIT.at(-1)!;
      await client.query('UPDATE _prisma_migrations SET finished_at = NULL WHERE migration_name = $1', [name]);
      expect(await readiness({ databaseUrl: database.url }).check()).toEqual({ ready: false, reason: `migrations pending: ${name}` });
      await client.query('UPDATE _prisma_migrations SET finished_at = now(), rolled_back_at = now() WHERE migration_name = $1', [name]);
      expect(await readiness({ databaseUrl: database.url }).check()).toEqual({ ready: false, reason: `migrations pending: ${name}` });
      await client.query('UPDATE _prisma_migrations SET rolled_back_at = NULL WHERE migration_name = $1', [name]);
      expect(await readiness({ databaseUrl: database.url }).check()).toEqual({ ready: true });
    } finally {
      await client.end();
    }
  });

  it('says "database unreachable" when nothing listens, keeping the driver error out of the public reason', async () => {
    const port = await closedPort();
    const result = await readiness({ databaseUrl: `postgresql://postgres@127.0.0.1:${port}/postgres`, timeoutMs: 1_000 }).check();
    expect(result).toMatchObject({ ready: false, reason: 'database unreachable', detail: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('gives up within its timeout on a server that accepts connections and never answers', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const started = Date.now();
      const result = await readiness({ databaseUrl: `postgresql://postgres@127.0.0.1:${port}/postgres`, timeoutMs: 300 }).check();
      expect(result).toMatchObject({ ready: false, reason: 'database unreachable' });
      // Generous bound: it must not hang until a probe's own timeout (seconds) gives up on it.
      expect(Date.now() - started).toBeLessThan(2_500);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('recovers once the database is back (a fresh connection per failed check)', async () => {
    await applyMigrations(database.url);
    const check = readiness({ databaseUrl: database.url });
    expect(await check.check()).toEqual({ ready: true });
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      // Kill the check's idle connection, as a database failover would.
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'publication-readiness' AND datname = current_database()",
      );
    } finally {
      await admin.end();
    }
    let result = await check.check();
    if (!result.ready) result = await check.check(); // at most one check may see the dead connection
    expect(result).toEqual({ ready: true });
  });

  it('is not ready when the migrations folder is missing from the build', async () => {
    const result = await readiness({ databaseUrl: database.url, migrationsDir: path.join(scratch, 'nope') }).check();
    expect(result).toMatchObject({ ready: false, reason: 'migrations list unavailable' });
  });
});

describe('responses', () => {
  it('live answers 200 { status: "ok" }, never cached', async () => {
    const response = liveResponse();
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('ready answers 200 or 503 { status: "unavailable", reason } without the internal detail', async () => {
    expect(readinessResponse({ ready: true }).status).toBe(200);
    const response = readinessResponse({ ready: false, reason: 'database unreachable', detail: 'connect ECONNREFUSED 10.0.0.5:5432' });
    expect(response.status).toBe(503);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'unavailable', reason: 'database unreachable' });
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
