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
 * keeps the three together within the limit (no 429 at all: none is caused by our concurrency)
 * and close to it (at least 95%), each email delivered once.
 */

const API_KEY = 're_test_shared_pacing';
const SUBSCRIBERS = 2_400; // 24 batches: about 12 s at 2 requests per second
const LIMIT = DEFAULT_PROVIDER_REQUESTS_PER_SECOND;
const MARGIN_PERCENT = 3;

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
  it('stay within the provider limit together, at ≥ 95% of it, with no 429 and no duplicate', async () => {
    await fake.fake.rateLimit({ requestsPerSecond: LIMIT });
    const result = await runSenderFleet({
      count: 3,
      databaseUrl: database.url,
      resendUrl: fake.url,
      apiKey: API_KEY,
      secret: process.env.NEWSLETTER_SECRET!,
      seconds: 40,
      fake: fake.fake,
      // 3% (97% of the limit): arrivals on this shared 2-core machine jitter by tens of milliseconds
      // while builds run beside the test, and the fake's window allows no jitter at all.
      env: { OUTBOX_PACING_MARGIN_PERCENT: String(MARGIN_PERCENT) },
    });
    const summary = `${result.accepted.length} accepted requests at ${result.requestsPerSecond.toFixed(3)}/s (steady ${result.steadyRequestsPerSecond.toFixed(3)}/s), 429s: ${result.rateLimited}, senders: ${JSON.stringify(result.senders)}\narrivals (ms): ${result.timeline}`;

    // Every sender took part, and together they sent everything, once.
    for (const sender of result.senders) expect(sender.requests, summary).toBeGreaterThanOrEqual(2);
    expect(result.deliveries, summary).toBe(SUBSCRIBERS);
    expect(result.duplicates, summary).toBe(0);
    const sent = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM outbox_emails WHERE status = 'SENT'`);
    expect(sent[0]!.n, summary).toBe(SUBSCRIBERS);

    // Within the limit: the fake, whose sliding window is the provider's, refused nothing (it answers
    // 429 to a third request inside any second; its window stamps a request once its body is in, so
    // the arrival stamps above may differ from its clock by a few milliseconds).
    expect(result.rateLimited, summary).toBe(0);
    // And close to it: over the whole run at most the limit; once all three are sending (each
    // process's first request costs a one-off cold-start gap), at least 95% of it.
    expect(result.requestsPerSecond, summary).toBeLessThanOrEqual(LIMIT);
    expect(result.steadyRequestsPerSecond, summary).toBeLessThanOrEqual(LIMIT);
    expect(result.steadyRequestsPerSecond, summary).toBeGreaterThanOrEqual(0.95 * LIMIT);
  }, 120_000);
});
