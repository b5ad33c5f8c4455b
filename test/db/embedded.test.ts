import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '@/lib/db';
import { startEmbeddedPostgres } from '@/lib/db/embedded';
import { applyMigrations } from '@/lib/db/migrate';
import { Prisma } from '@/lib/generated/prisma/client';
import { createEmbeddedTestDatabase, type TestDatabase } from './harness';

/**
 * The embedded PGlite takes the same migrations and the same Prisma client (adapter-pg) as the
 * real server: `npm run dev` with no DATABASE_URL runs the code production runs.
 */

describe('embedded Postgres (PGlite over a socket)', { timeout: 120_000 }, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createEmbeddedTestDatabase();
  }, 120_000);
  afterAll(() => database?.drop());

  it('accepts the committed migrations, and a second apply is a no-op', async () => {
    expect(database.appliedMigrations.length).toBeGreaterThan(0);
    expect(await applyMigrations(database.url)).toEqual([]);
  });

  it('answers Prisma queries through adapter-pg, constraints included', async () => {
    const created = await database.prisma.subscriber.create({ data: { email: 'pglite@example.com', source: 'home' } });
    const found = await database.prisma.subscriber.findUniqueOrThrow({ where: { email: 'pglite@example.com' } });
    expect(found).toEqual(created);

    const duplicate = await database.prisma.subscriber
      .create({ data: { email: 'pglite@example.com' } })
      .catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect((duplicate as Prisma.PrismaClientKnownRequestError).code).toBe('P2002');

    await expect(database.prisma.subscriber.create({ data: { email: 'Upper@Example.com' } })).rejects.toThrow();
  });

  it('runs interactive transactions and concurrent queries from a pool', async () => {
    const id = await database.prisma.$transaction(async (tx) => {
      const subscriber = await tx.subscriber.create({ data: { email: 'tx@example.com' } });
      await tx.outboxEmail.create({
        data: { kind: 'CONFIRMATION', subscriberId: subscriber.id, toAddress: subscriber.email, payload: {} },
      });
      return subscriber.id;
    });
    expect(await database.prisma.outboxEmail.count({ where: { subscriberId: id } })).toBe(1);

    const emails = Array.from({ length: 25 }, (_, i) => `pool${i}@example.com`);
    await Promise.all(emails.map((email) => database.prisma.subscriber.create({ data: { email } })));
    expect(await database.prisma.subscriber.count({ where: { email: { in: emails } } })).toBe(emails.length);
  });
});

describe('embedded Postgres on disk', { timeout: 120_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pglite-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps data across restarts and shares one running server per folder', async () => {
    const dataDir = path.join(dir, 'data');

    const first = await startEmbeddedPostgres({ dataDir });
    expect(first.owned).toBe(true);
    expect(existsSync(`${dataDir}.lock`)).toBe(true);
    // A second start on the same folder while the first runs must not open it again.
    const second = await startEmbeddedPostgres({ dataDir });
    expect(second).toMatchObject({ owned: false, connectionString: first.connectionString });
    await second.stop();

    expect((await applyMigrations(first.connectionString)).length).toBeGreaterThan(0);
    const prisma = createPrismaClient(first.connectionString);
    await prisma.subscriber.create({ data: { email: 'kept@example.com' } });
    await prisma.$disconnect();
    await first.stop();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);

    const again = await startEmbeddedPostgres({ dataDir });
    try {
      expect(again.owned).toBe(true);
      expect(await applyMigrations(again.connectionString)).toEqual([]);
      const reopened = createPrismaClient(again.connectionString);
      expect(await reopened.subscriber.count({ where: { email: 'kept@example.com' } })).toBe(1);
      await reopened.$disconnect();
    } finally {
      await again.stop();
    }
  });

  it('takes over a lock left by a process that died', async () => {
    const dataDir = path.join(dir, 'stale');
    const { writeFile, mkdir } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    // PID 2^22 + 1 is above Linux's pid_max ceiling, so no process has it.
    await writeFile(`${dataDir}.lock`, JSON.stringify({ pid: 4_194_305, connectionString: 'postgresql://gone' }));
    const embedded = await startEmbeddedPostgres({ dataDir });
    try {
      expect(embedded.owned).toBe(true);
      expect(embedded.connectionString).not.toBe('postgresql://gone');
    } finally {
      await embedded.stop();
    }
  });
});
