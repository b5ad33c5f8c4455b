import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from './harness';

/** lib/db.ts: lazy, one client, and a truthful answer to "is the database down?". */

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('lib/db without DATABASE_URL', () => {
  it('imports without connecting or throwing, and fails on first use with a recognisable error', async () => {
    vi.stubEnv('DATABASE_URL', '');
    const dbModule = await import('@/lib/db');
    let thrown: unknown;
    try {
      dbModule.getDb();
    } catch (err) {
      thrown = err;
    }
    expect(dbModule.isDatabaseUnavailableError(thrown)).toBe(true);
  });
});

describe('lib/db with DATABASE_URL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  }, 60_000);
  afterAll(() => database?.drop());

  it('creates one client, shared across re-imports (hot reloads), and queries through it', async () => {
    vi.stubEnv('DATABASE_URL', database.url);
    const first = await import('@/lib/db');
    vi.resetModules();
    const second = await import('@/lib/db');
    expect(second.getDb()).toBe(first.getDb());
    expect(await first.getDb().subscriber.count()).toBe(0);
    await first.getDb().subscriber.create({ data: { email: 'shared@example.com' } });
    expect(await second.getDb().subscriber.count()).toBe(1);
    await first.getDb().$disconnect();
  });

  it('does not call a query error or a constraint violation "unavailable"', async () => {
    const { isDatabaseUnavailableError } = await import('@/lib/db');
    await database.prisma.subscriber.create({ data: { email: 'twice@example.com' } });
    const duplicate = await database.prisma.subscriber
      .create({ data: { email: 'twice@example.com' } })
      .catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(Error);
    expect(isDatabaseUnavailableError(duplicate)).toBe(false);

    const badSql = await database.prisma.$queryRawUnsafe('SELECT * FROM no_such_table').catch((error: unknown) => error);
    expect(badSql).toBeInstanceOf(Error);
    expect(isDatabaseUnavailableError(badSql)).toBe(false);
    expect(isDatabaseUnavailableError(new Error('something else'))).toBe(false);
    expect(isDatabaseUnavailableError(undefined)).toBe(false);
  });
});

describe('isDatabaseUnavailableError', { timeout: 30_000 }, () => {
  it('recognises a refused connection as Prisma reports it', async () => {
    const { createPrismaClient, isDatabaseUnavailableError } = await import('@/lib/db');
    const prisma = createPrismaClient(`postgresql://postgres@127.0.0.1:${await closedPort()}/postgres`);
    const err = await prisma.subscriber.count().catch((error: unknown) => error);
    await prisma.$disconnect();
    expect(err).toBeInstanceOf(Error);
    expect(isDatabaseUnavailableError(err)).toBe(true);
  });

  it('recognises a server that accepts and never answers (connect timeout)', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const { isDatabaseUnavailableError } = await import('@/lib/db');
      const { PrismaPg } = await import('@prisma/adapter-pg');
      const { PrismaClient } = await import('@/lib/generated/prisma/client');
      const prisma = new PrismaClient({
        adapter: new PrismaPg({ connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres`, connectionTimeoutMillis: 300 }),
      });
      const err = await prisma.subscriber.count().catch((error: unknown) => error);
      await prisma.$disconnect();
      expect(err).toBeInstanceOf(Error);
      expect(isDatabaseUnavailableError(err)).toBe(true);
    } finally {
      silent.close();
    }
  });

  it('recognises the codes and shapes of connection failures', async () => {
    const { isDatabaseUnavailableError } = await import('@/lib/db');
    expect(isDatabaseUnavailableError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDatabaseUnavailableError(Object.assign(new Error('x'), { code: 'P1001' }))).toBe(true);
    expect(isDatabaseUnavailableError(Object.assign(new Error('x'), { code: '57P03' }))).toBe(true);
    expect(isDatabaseUnavailableError(new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'ETIMEDOUT' }) }))).toBe(
      true,
    );
    expect(isDatabaseUnavailableError(Object.assign(new Error('x'), { code: 'P2002' }))).toBe(false);
    expect(isDatabaseUnavailableError(Object.assign(new Error('x'), { code: '23505' }))).toBe(false);
  });
});
