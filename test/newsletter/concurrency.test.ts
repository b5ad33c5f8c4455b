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
  }, 60_000);
});
