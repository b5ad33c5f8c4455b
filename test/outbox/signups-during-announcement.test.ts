import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * The provider's limit counts every request, batch or single: confirmation emails sent right after
 * a signup take their slots from the same shared pacing (the provider_pacing row) as an
 * announcement that another instance is sending. Real Postgres, the real resend SDK, and the fake
 * Resend API in its own process, limited like Resend to 2 requests in any sliding second.
 */

const API_KEY = 're_test_signups_pacing';
const state = await vi.hoisted(async () => {
  // lib/env.ts reads the environment at its first import: point the app's transport at the fake first.
  const { startFakeResendProcess } = await import('../../testing/fake-resend/process');
  const fake = await startFakeResendProcess({ apiKey: 're_test_signups_pacing' });
  process.env.RESEND_API_KEY = 're_test_signups_pacing';
  process.env.RESEND_BASE_URL = fake.url;
  process.env.EMAIL_FROM = 'Quorum <newsletter@example.com>';
  return { client: undefined as unknown, fake };
});
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('../newsletter/mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), state),
);

import { POST as subscribeRoute } from '@/app/api/newsletter/subscribe/route';
import { announceNewArticles } from '@/lib/announce/enqueue';
import { createPrismaClient } from '@/lib/db';
import { ResendTransport } from '@/lib/email/resend-transport';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { waitForImmediateSends } from '@/lib/newsletter/immediate';
import { DEFAULT_PROVIDER_REQUESTS_PER_SECOND } from '@/lib/outbox/pacer-default';
import { sendBatches } from '@/lib/sending';
import { createTestDatabase, type TestDatabase } from '../db/harness';
import { captureLogs, fromClient, jsonRequest, SITE, uniqueEmail, uniqueIp } from '../newsletter/support';

const SUBSCRIBERS = 1_000; // 10 batches: about 5 s at 2 requests per second
const SIGNUPS = 8;
const LIMIT = DEFAULT_PROVIDER_REQUESTS_PER_SECOND;

let database: TestDatabase;
let sender: PrismaClient;
let contentDir: string;
const fake = state.fake.fake;

const signup = (email: string) => subscribeRoute(jsonRequest(`${SITE}/api/newsletter/subscribe`, { email }, { headers: fromClient(uniqueIp()) }));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  captureLogs();
  database = await createTestDatabase();
  state.client = database.prisma;
  // The announcement is sent by "another instance": its own client, so its own pacer object on the same row.
  sender = createPrismaClient(database.url);
  contentDir = await mkdtemp(path.join(tmpdir(), 'signups-pacing-'));
  await announceNewArticles({ db: database.prisma, contentDir }); // switch on (nothing published yet)
  await database.prisma.$executeRawUnsafe(
    `INSERT INTO subscribers (id, email, status, created_at, updated_at, confirmed_at)
     SELECT gen_random_uuid(), 'reader-' || g || '@example.com', 'CONFIRMED', now(), now(), now() FROM generate_series(1, $1::int) AS g`,
    SUBSCRIBERS,
  );
}, 60_000);

afterAll(async () => {
  await waitForImmediateSends();
  await sender?.$disconnect();
  state.client = undefined;
  await database?.drop();
  await state.fake.stop();
  if (contentDir) await rm(contentDir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

/** The most requests the fake counted inside one second, by its own window rule (t - at < 1000). */
function maxInOneSecond(arrivals: number[]): number {
  let most = 0;
  for (let i = 0, first = 0; i < arrivals.length; i += 1) {
    while (arrivals[i]! - arrivals[first]! >= 1000) first += 1;
    most = Math.max(most, i - first + 1);
  }
  return most;
}

describe('signups while an announcement is being sent', () => {
  it('a lone signup is mailed at once when the bucket has room (no worker running)', async () => {
    await fake.rateLimit({ requestsPerSecond: LIMIT });
    const email = uniqueEmail('lone');
    expect((await signup(email)).status).toBe(200);
    await waitForImmediateSends();
    expect((await fake.deliveries()).filter((d) => d.to.includes(email))).toHaveLength(1);
    expect((await fake.requests()).filter((r) => r.status === 429)).toEqual([]);
  }, 30_000);

  it('take send slots from the shared pacing: no 429, no second over the limit, every email once', async () => {
    await fake.reset();
    await fake.rateLimit({ requestsPerSecond: LIMIT });
    await writeFile(
      path.join(contentDir, 'busy-day.mdx'),
      ['---', 'title: "Busy day"', 'description: "Sent while readers sign up."', 'date: 2026-01-01', 'author: Test', 'tags: [t]', 'takeaways:', '  - "One limit."', '---', '', 'Text.', ''].join('\n'),
    );
    expect((await announceNewArticles({ db: database.prisma, contentDir })).queued).toBe(SUBSCRIBERS);

    const transport = new ResendTransport({ apiKey: API_KEY, from: 'Quorum <newsletter@example.com>', baseUrl: state.fake.url });
    const sending = sendBatches({ transport, db: sender, waitForPendingMs: 20_000 });
    // Readers sign up one after another while the batches go out.
    const emails = Array.from({ length: SIGNUPS }, () => uniqueEmail('during'));
    for (const email of emails) {
      expect((await signup(email)).status).toBe(200);
      await sleep(250);
    }
    const totals = await sending;
    await waitForImmediateSends();

    const requests = (await fake.requests()).filter((r) => r.path === '/emails' || r.path === '/emails/batch');
    const limited = requests.filter((r) => r.status === 429);
    const arrivals = requests.map((r) => r.receivedAt).sort((a, b) => a - b);
    const summary = `${requests.length} requests, 429s: ${limited.length}, arrivals (ms): ${arrivals.map((at) => at - arrivals[0]!).join(' ')}`;
    expect(limited, summary).toEqual([]);
    expect(totals.rateLimited, summary).toBe(0);
    expect(maxInOneSecond(arrivals), summary).toBeLessThanOrEqual(LIMIT);
    // Both kinds went out during the same seconds: single sends among the batches. Confirmations
    // that piled up behind the pacer may share a batch of their own (lib/newsletter/immediate.ts).
    const singles = requests.filter((r) => r.path === '/emails').length;
    const batches = requests.filter((r) => r.path === '/emails/batch').length;
    expect(singles, summary).toBeGreaterThan(0);
    expect(batches, summary).toBeGreaterThanOrEqual(SUBSCRIBERS / 100);
    expect(singles + batches, summary).toBeLessThanOrEqual(SIGNUPS + SUBSCRIBERS / 100);

    // Every email once: each new reader one confirmation, each subscriber one announcement.
    const deliveries = await fake.deliveries();
    for (const email of emails) expect(deliveries.filter((d) => d.to.includes(email)), email).toHaveLength(1);
    const readers = new Set(emails);
    const announced = deliveries.flatMap((d) => d.to).filter((to) => !readers.has(to));
    expect(announced).toHaveLength(SUBSCRIBERS);
    expect(new Set(announced).size).toBe(SUBSCRIBERS);
    expect(await database.prisma.outboxEmail.count({ where: { status: { not: 'SENT' } } })).toBe(0);
  }, 90_000);
});
