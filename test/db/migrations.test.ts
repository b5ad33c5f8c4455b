import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_MIGRATIONS_DIR,
  DEFAULT_SCHEMA_PATH,
  applyMigrations,
  diffToNewMigration,
  migrationDirectoryName,
  writeMigration,
} from '@/lib/db/migrate';
import { adminUrl, createTestDatabase, type TestDatabase } from './harness';

async function committedMigrations(): Promise<string[]> {
  const entries = await readdir(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('applyMigrations on the real Postgres', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
  }, 60_000);
  afterAll(() => database?.drop());

  it('applies every committed migration to an empty database, then nothing the second time', async () => {
    const expected = await committedMigrations();
    expect(expected.length).toBeGreaterThan(0);

    expect(await applyMigrations(database.url)).toEqual(expected);
    expect(await applyMigrations(database.url)).toEqual([]);

    const tables = await query<{ table_name: string }>(
      database.url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.map((row) => row.table_name)).toEqual([
      '_prisma_migrations',
      'announcement_deliveries',
      'announcement_switch',
      'announcements',
      'confirmation_tokens',
      'data_access_tokens',
      'outbox_batches',
      'outbox_emails',
      'provider_pacing',
      'rate_limit_buckets',
      'subscribers',
      'suppressions',
      'webhook_events',
      'weekly_digests',
    ]);
  });

  it('records each migration in _prisma_migrations as `prisma migrate deploy` does', async () => {
    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      logs: string | null;
      applied_steps_count: number;
    }>(
      database.url,
      'SELECT migration_name, checksum, finished_at, rolled_back_at, logs, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    const names = await committedMigrations();
    expect(rows.map((row) => row.migration_name)).toEqual(names);
    for (const row of rows) {
      const sql = await readFile(path.join(DEFAULT_MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      // Prisma's checksum: SHA-256 of the file's bytes, lowercase hex.
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });
});

describe('prisma/schema.prisma and prisma/migrations', { timeout: 60_000 }, () => {
  it('agree: the schema needs no new migration (run `npm run db:migration:new -- <name>` if this fails)', async () => {
    expect(await diffToNewMigration()).toBeNull();
  });
});

describe('migration scripts', { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function migrationsFolder(files: Record<string, string>): Promise<string> {
    const base = await mkdtemp(path.join(dir, 'set-'));
    await copyFile(path.join(DEFAULT_MIGRATIONS_DIR, 'migration_lock.toml'), path.join(base, 'migration_lock.toml'));
    for (const [name, sql] of Object.entries(files)) {
      await mkdir(path.join(base, name));
      await writeFile(path.join(base, name, 'migration.sql'), sql);
    }
    return base;
  }

  it('run whole: a semicolon in a comment or a string literal does not split a statement', async () => {
    const migrationsDir = await migrationsFolder({
      '20000101000000_semicolons': [
        '-- a comment; with a semicolon',
        'CREATE TABLE "notes" ("body" TEXT NOT NULL DEFAULT \'a; b\');',
        "INSERT INTO \"notes\" VALUES ('x; y');",
      ].join('\n'),
    });
    const database = await createTestDatabase({ migrationsDir });
    try {
      expect(database.appliedMigrations).toEqual(['20000101000000_semicolons']);
      expect(await query(database.url, 'SELECT body FROM notes')).toEqual([{ body: 'x; y' }]);
    } finally {
      await database.drop();
    }
  });

  it('are atomic: a migration that fails half-way leaves nothing of itself behind', async () => {
    const migrationsDir = await migrationsFolder({
      '20000101000000_broken': 'CREATE TABLE "first_half" ("id" INTEGER);\nSELECT * FROM "no_such_table";\n',
    });
    const database = await createTestDatabase({ migrate: false });
    try {
      await expect(applyMigrations(database.url, { migrationsDir })).rejects.toThrow(/no_such_table/);
      const tables = await query(database.url, "SELECT 1 FROM information_schema.tables WHERE table_name = 'first_half'");
      expect(tables).toEqual([]);
      // And, as with `prisma migrate deploy`, the failure is recorded and blocks further applies.
      const [row] = await query<{ finished_at: Date | null; logs: string | null }>(
        database.url,
        'SELECT finished_at, logs FROM _prisma_migrations',
      );
      expect(row?.finished_at).toBeNull();
      expect(row?.logs).toMatch(/no_such_table/);
      await expect(applyMigrations(database.url, { migrationsDir })).rejects.toThrow(/failed/i);
    } finally {
      await database.drop();
    }
  });

  it('diffToNewMigration writes the change a schema edit needs, and writeMigration files it', async () => {
    const schemaPath = path.join(dir, 'schema.prisma');
    const schema = await readFile(DEFAULT_SCHEMA_PATH, 'utf8');
    await writeFile(
      schemaPath,
      schema.replace(/(model RateLimitBucket \{\n)/, '$1  note        String? @map("note")\n'),
    );
    const migrationsDir = await mkdtemp(path.join(dir, 'copy-'));
    for (const name of await readdir(DEFAULT_MIGRATIONS_DIR)) {
      if (name.endsWith('.toml')) await copyFile(path.join(DEFAULT_MIGRATIONS_DIR, name), path.join(migrationsDir, name));
      else {
        await mkdir(path.join(migrationsDir, name));
        await copyFile(path.join(DEFAULT_MIGRATIONS_DIR, name, 'migration.sql'), path.join(migrationsDir, name, 'migration.sql'));
      }
    }

    const sql = await diffToNewMigration({ schemaPath, migrationsDir });
    expect(sql).toContain('ALTER TABLE "rate_limit_buckets" ADD COLUMN     "note" TEXT');

    const now = new Date('2030-01-02T03:04:05Z');
    const written = await writeMigration({ name: 'Add note!', sql: sql!, migrationsDir, now });
    expect(path.basename(written)).toBe('20300102030405_add_note');
    expect(await readFile(path.join(written, 'migration.sql'), 'utf8')).toBe(sql);
    await expect(writeMigration({ name: 'Add note!', sql: sql!, migrationsDir, now })).rejects.toThrow(/EEXIST/);

    // The new migration brings migrations and schema level: nothing more to write...
    expect(await diffToNewMigration({ schemaPath, migrationsDir })).toBeNull();
    // ...also when a real server plays the shadow database, which leaves no database behind.
    const before = await query(adminUrl(), "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_shadow_%'");
    expect(await diffToNewMigration({ schemaPath, migrationsDir, shadowServerUrl: adminUrl() })).toBeNull();
    expect(await query(adminUrl(), "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_shadow_%'")).toEqual(before);
  });

  it('names migration folders as Prisma does', () => {
    expect(migrationDirectoryName('init', new Date('2026-11-24T21:04:42.123Z'))).toBe('20261124210442_init');
    expect(() => migrationDirectoryName('  !!  ')).toThrow(/not a usable migration name/);
  });
});
