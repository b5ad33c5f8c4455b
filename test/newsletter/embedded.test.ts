import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEmbeddedTestDatabase, type TestDatabase } from '../db/harness';
import { startFakeResend, type FakeResend } from '../../testing/fake-resend/server';
import { API_KEY, captureLogs, clientAt, linkToken, resendTransport, uniqueEmail, uniqueIp } from './support';

import { processOutboxBatch } from '@/lib/sending';
import { confirmSubscription, subscribe, unsubscribe } from '@/lib/newsletter/service';
import { createManageToken } from '@/lib/newsletter/tokens';
import { newsletterSecret } from '@/lib/env';

/**
 * Smoke test of the development path: the same service and worker SQL (ON CONFLICT upserts,
 * FOR UPDATE SKIP LOCKED claims, jsonb operators) on the embedded PGlite that `npm run dev` starts.
 */

let database: TestDatabase;
let fake: FakeResend;

beforeAll(async () => {
  captureLogs(); // quiet: lib/log.ts lines (restored by vi.restoreAllMocks)
  database = await createEmbeddedTestDatabase();
  fake = await startFakeResend({ apiKey: API_KEY });
}, 120_000);
afterAll(async () => {
  await fake?.close();
  await database?.drop();
  vi.restoreAllMocks();
});

describe('newsletter on the embedded PGlite', () => {
  it('subscribes (concurrently too), sends through the outbox, confirms and unsubscribes', async () => {
    const options = { db: database.prisma, sendImmediately: false };
    const email = uniqueEmail('pglite');
    await Promise.all([
      subscribe({ email }, { ...options, client: clientAt(uniqueIp()) }),
      subscribe({ email }, { ...options, client: clientAt(uniqueIp()) }),
      subscribe({ email: uniqueEmail('pglite') }, { ...options, client: clientAt(uniqueIp()) }),
    ]);
    expect(await database.prisma.subscriber.count()).toBe(2);

    const batch = await processOutboxBatch({ workerId: 'dev', db: database.prisma, transport: resendTransport(fake) });
    expect(batch).toMatchObject({ claimed: 2, sent: 2 });
    const delivery = fake.deliveries().find((d) => d.to.includes(email))!;
    const token = linkToken(delivery.text!, '/newsletter/confirm');

    expect(await confirmSubscription(token, options)).toEqual({ status: 'confirmed' });
    expect(await confirmSubscription(token, options)).toEqual({ status: 'already-confirmed' });
    expect((await processOutboxBatch({ workerId: 'dev', db: database.prisma, transport: resendTransport(fake) })).sent).toBe(1);

    const subscriber = await database.prisma.subscriber.findUniqueOrThrow({ where: { email } });
    expect(await unsubscribe(createManageToken(subscriber.id, newsletterSecret()), options)).toEqual({ status: 'unsubscribed' });
    expect((await database.prisma.subscriber.findUniqueOrThrow({ where: { email } })).status).toBe('UNSUBSCRIBED');
  }, 60_000);
});
