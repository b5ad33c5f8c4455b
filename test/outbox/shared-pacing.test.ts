import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceNewArticles } from '@/lib/announce/enqueue';
import { createPrismaClient } from '@/lib/db';
import { applyMigrations } from '@/lib/db/migrate';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { DEFAULT_PROVIDER_REQUESTS_PER_SECOND } from '@/lib/outbox/pacer-default';
import { startFakeResendProcess, type FakeResendProcess } from '../../testing/fake-resend/process';
import { runSenderFleet } from '../../testing/outbox-sender/fleet';
import { createDatabase, type TemporaryDatabase } from '../../testing/postgres';

/**
 * The provider's limit is one budget for the fleet: three sender processes, one Postgres, one fake
 * Resend API (in its own process, limited like Resend to 2 requests per second in a sliding
 * one-second window, answering 429 beyond it). Pacing shared in Postgres (lib/outbox/pacing.ts)
 * keeps the three together within the limit at the provider, whenever each request really arrives:
 * no second holds more than the limit, no 429 at all, each email delivered once. How close to the
 * limit they get is a figure, not a test: bench/announce.ts's "three instances" row.
 */

const API_KEY = 're_test_shared_pacing';
const SUBSCRIBERS = 2_400; // 24 batches: about 12 s at 2 requests per second
const LIMIT = DEFAULT_PROVIDER_REQUESTS_PER_SECOND;

let database: TemporaryDatabase;
let db: PrismaClient;
let fake: FakeResendProcess;
let contentDir: string;

async function writeArticle(slug: string): Promise<void> {
  await writeFile(
    path.join(contentDir, `${slug}.mdx`),
    ['---', `title: "Fleet ${slug}"`, 'description: "Sent by three instances at once."', 'date: 2026-01-01', 'author: Fleet', 'tags: [fleet]', 'takeaways:', '  - "One budget."', '---', '', '## Body', '', 'Text.', ''].join('\n'),
  );
}

beforeAll(async () => {
  fake = await startFakeResendProcess({ apiKey: API_KEY });
  database = await createDatabase({ prefix: 'pubtest_pacing' });
  await applyMigrations(database.url);
  db = createPrismaClient(database.url);
  contentDir = await mkdtemp(path.join(tmpdir(), 'shared-pacing-'));
  await announceNewArticles({ db, contentDir }); // switch on (nothing published yet)
  await db.$executeRawUnsafe(
    `INSERT INTO subscribers (id, email, status, created_at, updated_at, confirmed_at)
     SELECT gen_random_uuid(), 'fleet-' || g || '@example.com', 'CONFIRMED', now(), now(), now() FROM generate_series(1, $1::int) AS g`,
    SUBSCRIBERS,
  );
  await writeArticle('fleet-news');
  expect((await announceNewArticles({ db, contentDir })).queued).toBe(SUBSCRIBERS);
}, 60_000);

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
  await fake?.stop();
  if (contentDir) await rm(contentDir, { recursive: true, force: true });
});

describe('three instances sending announcements at once', () => {
  it('stay within the provider limit together, with no 429 and no duplicate', async () => {
    await fake.fake.rateLimit({ requestsPerSecond: LIMIT });
    // The shipped defaults (margin included): nothing in the environment widens the spacing.
    const result = await runSenderFleet({
      count: 3,
      databaseUrl: database.url,
      resendUrl: fake.url,
      apiKey: API_KEY,
      secret: process.env.NEWSLETTER_SECRET!,
      seconds: 60,
      fake: fake.fake,
    });
    const summary = `${result.accepted.length} accepted requests, at most ${result.maxInOneSecond} in one second, 429s: ${result.rateLimited}, senders: ${JSON.stringify(result.senders)}\narrivals (ms): ${result.timeline}`;

    // Every sender took part, and together they sent everything, once.
    for (const sender of result.senders) expect(sender.requests, summary).toBeGreaterThanOrEqual(2);
    expect(result.deliveries, summary).toBe(SUBSCRIBERS);
    expect(result.duplicates, summary).toBe(0);
    const sent = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM outbox_emails WHERE status = 'SENT'`);
    expect(sent[0]!.n, summary).toBe(SUBSCRIBERS);

    // Within the limit at the provider: the fake refused nothing, and counted by its own rule from
    // its own arrival stamps, no second held more than the limit.
    expect(result.rateLimited, summary).toBe(0);
    expect(result.maxInOneSecond, summary).toBeLessThanOrEqual(LIMIT);
  }, 120_000);
});
