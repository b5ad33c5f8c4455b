import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureLogs, fromClient, jsonRequest, type NewsletterTestEnv, SITE, startNewsletterTestEnv, uniqueEmail, uniqueIp } from './support';

const dbState = await vi.hoisted(async () => (await import('./email-env')).hoistedTestState());
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('./mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), dbState),
);

import { POST as subscribeRoute } from '@/app/api/newsletter/subscribe/route';
import { waitForImmediateSends } from '@/lib/newsletter/immediate';

/** The load case: 200 concurrent signups, 30% of them repeating an address. */

let t: NewsletterTestEnv;
beforeAll(async () => {
  captureLogs(); // quiet: lib/log.ts lines (restored by vi.restoreAllMocks)
  t = await startNewsletterTestEnv(dbState);
}, 60_000);
afterAll(async () => {
  await waitForImmediateSends();
  await t?.close();
  vi.restoreAllMocks();
});

describe('200 concurrent signups', () => {
  it('store one row per unique address, send exactly one confirmation each, and never answer 5xx', async () => {
    const unique = Array.from({ length: 140 }, () => uniqueEmail('crowd'));
    // 60 repeats of addresses already in the list, mixed in and with varied case and spacing.
    const repeats = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? unique[i]!.toUpperCase() : ` ${unique[i]} `));
    const all = [...unique, ...repeats].sort(() => Math.random() - 0.5);

    const responses = await Promise.all(
      all.map((email) =>
        subscribeRoute(jsonRequest(`${SITE}/api/newsletter/subscribe`, { email }, { headers: fromClient(uniqueIp()) })),
      ),
    );
    await waitForImmediateSends();

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(await t.prisma.subscriber.count({ where: { email: { in: unique } } })).toBe(140);
    expect(await t.prisma.outboxEmail.count({ where: { toAddress: { in: unique } } })).toBe(140);
    const delivered = t.fake.deliveries().flatMap((d) => d.to);
    expect(delivered).toHaveLength(140);
    expect(new Set(delivered)).toEqual(new Set(unique));
    // Confirmations that piled up went out in provider batches, and no sealed token outlives its send.
    expect(t.fake.requests().length).toBeLessThan(140);
    const rows = await t.prisma.outboxEmail.findMany({ where: { toAddress: { in: unique } } });
    expect(rows.filter((r) => r.status !== 'SENT')).toEqual([]);
    expect(rows.filter((r) => JSON.stringify(r.payload).includes('sealedToken'))).toEqual([]);
  }, 60_000);
});

describe('many concurrent signups for one inbox', () => {
  it('accept exactly 3 (the per-inbox limit), whatever the spelling, and refuse the rest with 429', async () => {
    const local = uniqueEmail('oneinbox').split('@')[0]!.replace(/[^a-z0-9]/gi, '');
    // 40 at once from 40 clients: one Gmail inbox, spelled as typed, in capitals, and with dots and +tags.
    const spellings = Array.from({ length: 40 }, (_, i) =>
      i % 3 === 0 ? `${local}@gmail.com` : i % 3 === 1 ? `${local.toUpperCase()}@gmail.com` : `${local.slice(0, 2)}.${local.slice(2)}+${i}@gmail.com`,
    );
    const responses = await Promise.all(
      spellings.map((email) => subscribeRoute(jsonRequest(`${SITE}/api/newsletter/subscribe`, { email }, { headers: fromClient(uniqueIp()) }))),
    );
    await waitForImmediateSends();
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(37);
  }, 60_000);
});
