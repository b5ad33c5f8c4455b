import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * The database going away under a running app, in process: the app's own Prisma client
 * (createPrismaClient, as lib/db.ts makes it) talks to a fresh test database through a TCP proxy
 * that this test cuts and restores. Whatever the way the database goes (a connection closed under
 * a query, refused connections, a server that accepts and never answers), the error must be
 * recognised as "unavailable" (so routes answer 503, not 500), must arrive in bounded time, and
 * the same client must work again once the database is back. The same scenario against the real
 * production server is e2e/postbuild/db-outage.test.ts.
 */

const state = await vi.hoisted(async () => (await import('../newsletter/email-env')).hoistedTestState());
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('../newsletter/mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), state),
);

import { POST as subscribeRoute } from '@/app/api/newsletter/subscribe/route';
import { createPrismaClient, isDatabaseUnavailableError } from '@/lib/db';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { waitForImmediateSends } from '@/lib/newsletter/immediate';
import { createTestDatabase, type TestDatabase } from '../db/harness';
import type { FakeResend } from '../../testing/fake-resend/server';
import { fromClient, jsonRequest, SITE, uniqueEmail, uniqueIp } from '../newsletter/support';
import { startTcpProxy, type TcpProxy } from '../../testing/tcp-proxy';

/** Connect timeout plus a margin: a request must fail within this, never hang. */
const BOUNDED_MS = 15_000;

let database: TestDatabase;
let proxy: TcpProxy;
let prisma: PrismaClient;
let fake: FakeResend;

beforeAll(async () => {
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  database = await createTestDatabase();
  const url = new URL(database.url);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  prisma = createPrismaClient(url.toString());
  state.client = prisma;
  // Confirmation emails go to the fake Resend API (started before the imports: email-env.ts).
  fake = state.fake;
}, 60_000);

afterAll(async () => {
  state.client = undefined;
  await waitForImmediateSends();
  await prisma?.$disconnect().catch(() => {});
  await proxy?.close();
  await fake?.close();
  await database?.drop();
  vi.restoreAllMocks();
});

async function failure(run: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  const error = await run().then(
    () => new Error('expected the query to fail'),
    (err: unknown) => err,
  );
  return { error, ms: Date.now() - started };
}

async function subscribeStatus(): Promise<{ status: number; body: { ok?: boolean; error?: string } }> {
  const response = await subscribeRoute(
    jsonRequest(`${SITE}/api/newsletter/subscribe`, { email: uniqueEmail('outage') }, { headers: fromClient(uniqueIp()) }),
  );
  await waitForImmediateSends();
  return { status: response.status, body: (await response.json()) as { ok?: boolean; error?: string } };
}

describe.each(['refuse', 'silent'] as const)('database %s', (mode) => {
  it('works before', async () => {
    expect(await prisma.subscriber.count()).toBeGreaterThanOrEqual(0);
    expect((await subscribeStatus()).status).toBe(200);
  }, 20_000);

  it('a query fails fast and is recognised as "unavailable"; a signup answers 503 with a message', async () => {
    proxy.set(mode);
    const { error, ms } = await failure(() => prisma.subscriber.count());
    expect(ms).toBeLessThan(BOUNDED_MS);
    expect(isDatabaseUnavailableError(error), String(error)).toBe(true);

    const started = Date.now();
    const { status, body } = await subscribeStatus();
    expect(Date.now() - started).toBeLessThan(BOUNDED_MS);
    expect(status).toBe(503);
    expect(body.ok).toBe(false);
    expect(body.error).toMatch(/try again/i);
  }, 40_000);

  it('the same client works again once the database is back', async () => {
    proxy.set('up');
    await expect(prisma.subscriber.count()).resolves.toBeGreaterThanOrEqual(1);
    expect((await subscribeStatus()).status).toBe(200);
  }, 20_000);
});

describe('a connection closed in the middle of a transaction', () => {
  it('is "unavailable" too, and the transaction leaves nothing behind', async () => {
    const email = uniqueEmail('mid-transaction');
    const { error } = await failure(() =>
      prisma.$transaction(async (tx) => {
        await tx.subscriber.create({ data: { email } });
        proxy.set('refuse');
        await tx.subscriber.count();
      }),
    );
    expect(isDatabaseUnavailableError(error), String(error)).toBe(true);
    proxy.set('up');
    expect(await prisma.subscriber.count({ where: { email } })).toBe(0);
  }, 30_000);
});
