import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureLogs } from '../newsletter/support';

const dbState = await vi.hoisted(async () => (await import('../newsletter/email-env')).hoistedTestState());
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('../newsletter/mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), dbState),
);

import { announceNewArticles } from '@/lib/announce/enqueue';
import { metrics } from '@/lib/metrics/registry';
import { startAnnounceEnv, type AnnounceTestEnv } from '../announce/support';
import { sample } from './support';

/** Announcement emails, sent in provider batches (lib/outbox/batches.ts), counted by kind and outcome. */

let t: AnnounceTestEnv;
const NOW = new Date('2026-06-15T12:00:00Z');

beforeAll(async () => {
  captureLogs();
  t = await startAnnounceEnv(dbState);
}, 60_000);
afterAll(async () => {
  await t?.close();
  vi.restoreAllMocks();
});

describe('announcement batches in the metrics', { timeout: 60_000 }, () => {
  it('count the sent and the skipped emails of a batch under ANNOUNCEMENT', async () => {
    await t.addSubscribers(4, 'batch-metrics');
    await announceNewArticles({ db: t.prisma, contentDir: t.contentDir, now: NOW }); // first run: switch on
    await t.writeArticle('new-one', { title: 'Counted' });
    expect((await announceNewArticles({ db: t.prisma, contentDir: t.contentDir, now: NOW })).queued).toBe(4);
    // One of them unsubscribes before the send: skipped (cancelled) at the batch's check.
    const first = await t.prisma.subscriber.findFirstOrThrow({ where: { email: { startsWith: 'batch-metrics-' } }, orderBy: { email: 'asc' } });
    await t.prisma.subscriber.update({ where: { id: first.id }, data: { status: 'UNSUBSCRIBED', unsubscribedAt: new Date() } });

    const before = await metrics().registry.metrics();
    const totals = await t.send();
    expect(totals).toMatchObject({ sent: 3, cancelled: 1 });
    const after = await metrics().registry.metrics();
    const moved = (outcome: string) => sample(after, 'quorum_outbox_emails_total', { kind: 'ANNOUNCEMENT', outcome }) - sample(before, 'quorum_outbox_emails_total', { kind: 'ANNOUNCEMENT', outcome });
    expect([moved('sent'), moved('cancelled'), moved('failed'), moved('retried')]).toEqual([3, 1, 0, 0]);
  });
});
