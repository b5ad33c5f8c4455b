import { createPrismaClient } from '@/lib/db';
import { startEmbeddedPostgres } from '@/lib/db/embedded';
import { applyMigrations } from '@/lib/db/migrate';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { createDatabase } from '@/testing/postgres';

/**
 * Databases for integration tests.
 *
 * createTestDatabase(): a fresh, uniquely named database on the real Postgres server
 * (TEST_DATABASE_ADMIN_URL, default postgresql://postgres@127.0.0.1:5432/postgres; made and
 * dropped by testing/postgres.ts), migrated with the same applyMigrations the app uses, so runs
 * (and parallel test files) never see each other's rows. createEmbeddedTestDatabase(): the same, on an in-memory PGlite.
 *
 *   const database = await createTestDatabase();
 *   afterAll(() => database.drop());
 *   await database.prisma.subscriber.create({ ... });
 */

export { adminUrl, withDatabaseName } from '@/testing/postgres';

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

export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const database = await createDatabase({ adminUrl: options.adminUrl });
  const { url, name } = database;
  let prisma: PrismaClient | undefined;
  const drop = async () => {
    await prisma?.$disconnect().catch(() => {});
    await database.drop();
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
