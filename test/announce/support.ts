import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { TokenBucket } from '@/lib/outbox/token-bucket';
import type { SenderOptions } from '@/lib/outbox/batches';
import { sendBatches } from '@/lib/sending';
import { newsletterSecret } from '@/lib/env';
import type { FakeDelivery } from '../../testing/fake-resend/server';
import type { HoistedTestState } from '../newsletter/email-env';
import { API_KEY, EMAIL_FROM, resendTransport, startNewsletterTestEnv, type NewsletterTestEnv } from '../newsletter/support';

/**
 * Announcements against the real Postgres (a fresh database per file) and the real resend SDK
 * talking to the fake Resend API, with articles written to a temporary content folder.
 */

export type AnnounceTestEnv = NewsletterTestEnv & {
  contentDir: string;
  secret: string;
  /** Writes content/<slug>.mdx; `date` defaults to 2026-01-01 (published). */
  writeArticle(slug: string, options?: { title?: string; date?: string; draft?: boolean; description?: string }): Promise<void>;
  removeArticle(slug: string): Promise<void>;
  /** Inserts `count` subscribers in one statement (generate_series); returns nothing, query them by `label`. */
  addSubscribers(count: number, label: string, status?: 'CONFIRMED' | 'PENDING' | 'UNSUBSCRIBED'): Promise<void>;
  /** Empties every table the announcements touch (subscribers included) and the fake's log. */
  reset(): Promise<void>;
  /** The sender against the fake, fast (50 requests/s) unless a limiter is given. */
  send(options?: Partial<SenderOptions>): ReturnType<typeof sendBatches>;
};

export async function startAnnounceEnv(state: HoistedTestState): Promise<AnnounceTestEnv> {
  const base = await startNewsletterTestEnv(state);
  const contentDir = await mkdtemp(path.join(tmpdir(), 'announce-content-'));
  const secret = newsletterSecret();
  const prisma: PrismaClient = base.prisma;
  return {
    ...base,
    contentDir,
    secret,
    async writeArticle(slug, options = {}) {
      const title = options.title ?? `Article ${slug}`;
      const lines = [
        '---',
        `title: ${JSON.stringify(title)}`,
        `description: ${JSON.stringify(options.description ?? `All about ${slug}.`)}`,
        `date: ${options.date ?? '2026-01-01'}`,
        'author: Ada Example',
        'tags: [testing]',
        'takeaways:',
        `  - ${JSON.stringify(`The point of ${slug}.`)}`,
        ...(options.draft ? ['draft: true'] : []),
        '---',
        '',
        '## Section',
        '',
        `Body of ${slug}.`,
        '',
      ];
      await writeFile(path.join(contentDir, `${slug}.mdx`), lines.join('\n'));
    },
    async removeArticle(slug) {
      await rm(path.join(contentDir, `${slug}.mdx`), { force: true });
    },
    async addSubscribers(count, label, status = 'CONFIRMED') {
      await prisma.$executeRawUnsafe(
        `INSERT INTO subscribers (id, email, status, created_at, updated_at, confirmed_at)
         SELECT gen_random_uuid(), $1 || '-' || g || '@example.com', $2::subscriber_status, now(), now(),
                CASE WHEN $2 = 'CONFIRMED' THEN now() END
         FROM generate_series(1, $3::int) AS g`,
        label,
        status,
        count,
      );
    },
    async reset() {
      base.fake.reset();
      await prisma.$executeRawUnsafe(
        'TRUNCATE announcement_deliveries, announcements, announcement_switch, outbox_emails, outbox_batches, provider_pacing, suppressions, subscribers CASCADE',
      );
    },
    send(options = {}) {
      return sendBatches({
        transport: resendTransport(base.fake),
        db: prisma,
        secret,
        limiter: new TokenBucket({ requestsPerSecond: 50 }),
        ...options,
      });
    },
    async close() {
      await rm(contentDir, { recursive: true, force: true });
      await base.close();
    },
  };
}

/** "<to>|<subject>" → how many emails the fake actually delivered (idempotent replays excluded). */
export function deliveryCounts(deliveries: readonly FakeDelivery[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const delivery of deliveries) {
    for (const to of delivery.to) {
      const key = `${to}|${delivery.subject}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/** Fails with the offenders when any recipient got the same email more than once. */
export function duplicates(deliveries: readonly FakeDelivery[]): string[] {
  return [...deliveryCounts(deliveries)].filter(([, n]) => n > 1).map(([key, n]) => `${key} ×${n}`);
}

export function recipientsOf(deliveries: readonly FakeDelivery[], subject: string): Set<string> {
  return new Set(deliveries.filter((d) => d.subject === subject).flatMap((d) => d.to));
}

export async function outboxStatusCounts(prisma: PrismaClient): Promise<Record<string, number>> {
  const rows = await prisma.$queryRawUnsafe<{ status: string; n: number }[]>(
    `SELECT status::text AS status, count(*)::int AS n FROM outbox_emails WHERE kind IN ('ANNOUNCEMENT', 'DIGEST') GROUP BY status`,
  );
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
}

/**
 * `npm run announce` / `npm run digest` in a child process against the test database and the fake,
 * for the SIGKILL tests. `node --import tsx`, not the tsx CLI: that one runs the script in a
 * grandchild, which SIGKILL would miss.
 */
export function spawnCommand(t: AnnounceTestEnv, script: 'scripts/announce.ts' | 'scripts/digest.ts', args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './scripts/lib/server-only.mjs', script, ...args], {
    cwd: path.resolve(__dirname, '..', '..'),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: t.database.url,
      RESEND_API_KEY: API_KEY,
      RESEND_BASE_URL: t.fake.url,
      EMAIL_FROM,
      NEWSLETTER_SECRET: t.secret,
      SITE_URL: 'http://localhost:3000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { text: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ? null : code)));
  return { child, output, exited };
}
