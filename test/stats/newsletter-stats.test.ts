import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolOf } from '@/lib/db';
import { runStatsCommand } from '@/lib/stats/command';
import { readNewsletterStats, type NewsletterStats } from '@/lib/stats/figures';
import { createTestDatabase, type TestDatabase } from '../db/harness';

/**
 * `npm run newsletter:stats` (runStatsCommand with captured output) on a database seeded with a
 * known history, on the real Postgres: every section's figures exactly, the JSON shape, and no
 * address anywhere unless --show-addresses asks for them.
 */

const NOW = new Date('2026-06-15T12:00:00Z');
let database: TestDatabase;

const at = (iso: string) => new Date(iso);
const address = (label: string) => `${label}@stats-seed.example`;

async function seed(db: TestDatabase): Promise<void> {
  const pool = poolOf(db.prisma);
  const subscriber = (label: string, status: string, created: string, confirmed: string | null, unsubscribed: string | null = null) =>
    pool.query(
      `INSERT INTO subscribers (id, email, status, created_at, updated_at, confirmed_at, unsubscribed_at)
       VALUES (gen_random_uuid(), $1, $2::subscriber_status, $3, $3, $4, $5) RETURNING id::text AS id`,
      [address(label), status, at(created), confirmed && at(confirmed), unsubscribed && at(unsubscribed)],
    ).then((result) => result.rows[0].id as string);
  const email = (kind: string, status: string, to: string, subscriberId: string | null, created: string, extra: { sent?: string; next?: string; error?: string } = {}) =>
    pool.query(
      `INSERT INTO outbox_emails (id, kind, subscriber_id, to_address, payload, status, created_at, next_attempt_at, sent_at, last_error, attempts)
       VALUES (gen_random_uuid(), $1::outbox_kind, $2::uuid, $3, '{}'::jsonb, $4::outbox_status, $5, $6, $7, $8, $9) RETURNING id::text AS id`,
      [kind, subscriberId, to, status, at(created), at(extra.next ?? created), extra.sent ? at(extra.sent) : null, extra.error ?? null, extra.error ? 1 : 0],
    ).then((result) => result.rows[0].id as string);

  // Subscribers: 4 confirmed, 2 pending, 1 unsubscribed; one of the confirmed signed up before the window.
  const confirmed = [
    await subscriber('c1', 'CONFIRMED', '2026-06-10T08:00:00Z', '2026-06-11T09:00:00Z'),
    await subscriber('c2', 'CONFIRMED', '2026-06-10T09:00:00Z', '2026-06-11T10:00:00Z'),
    await subscriber('c3', 'CONFIRMED', '2026-06-10T23:59:00Z', '2026-06-11T00:30:00Z'),
    await subscriber('old', 'CONFIRMED', '2026-04-01T08:00:00Z', '2026-04-01T09:00:00Z'),
  ];
  const pending = [await subscriber('p1', 'PENDING', '2026-06-14T10:00:00Z', null), await subscriber('p2', 'PENDING', '2026-06-15T11:00:00Z', null)];
  const gone = await subscriber('u1', 'UNSUBSCRIBED', '2026-06-01T07:00:00Z', '2026-06-01T08:00:00Z', '2026-06-12T15:00:00Z');

  // Preferences: c1 weekly, c2 paused past NOW, p1 paused until before NOW (so back to every article).
  await pool.query(`UPDATE subscribers SET delivery = 'WEEKLY' WHERE id = $1::uuid`, [confirmed[0]]);
  await pool.query(`UPDATE subscribers SET paused_until = $2 WHERE id = $1::uuid`, [confirmed[1], at('2026-07-01T00:00:00Z')]);
  await pool.query(`UPDATE subscribers SET paused_until = $2 WHERE id = $1::uuid`, [pending[0], at('2026-06-01T00:00:00Z')]);

  // 998 sent confirmations in the window, one before it.
  await pool.query(
    `INSERT INTO outbox_emails (id, kind, to_address, payload, status, created_at, next_attempt_at, sent_at)
     SELECT gen_random_uuid(), 'CONFIRMATION', 'bulk-' || i || '@stats-seed.example', '{}'::jsonb, 'SENT', $1, $1, $1
     FROM generate_series(1, 998) AS i`,
    [at('2026-06-13T08:00:00Z')],
  );
  await email('CONFIRMATION', 'SENT', address('old'), confirmed[3]!, '2026-04-01T08:00:00Z', { sent: '2026-04-01T08:00:05Z' });
  // Waiting: two confirmations (one due, one retrying at 13:00), a welcome being sent.
  await email('CONFIRMATION', 'QUEUED', address('p1'), pending[0]!, '2026-06-14T10:00:00Z');
  await email('CONFIRMATION', 'QUEUED', address('p2'), pending[1]!, '2026-06-15T11:00:00Z', { next: '2026-06-15T13:00:00Z' });
  await email('WELCOME', 'SENDING', address('c3'), confirmed[2]!, '2026-06-15T11:30:00Z');
  // A failed welcome whose provider error quotes the address.
  await email('WELCOME', 'FAILED', address('c2'), confirmed[1]!, '2026-06-12T10:00:00Z', { error: `Resend 422 validation_error: Invalid \`to\` field: ${address('c2')}` });

  // One announcement to five subscribers: 2 sent, 1 failed, 1 skipped (unsubscribed), 1 still queued (the oldest waiting email).
  const announcement = await pool.query(
    `INSERT INTO announcements (id, article_slug, title, status, recipient_count, created_at, enqueued_at)
     VALUES (gen_random_uuid(), 'first-article', 'First article', 'SENDING', 5, $1, $1) RETURNING id::text AS id`,
    [at('2026-06-13T09:00:00Z')],
  );
  const outcomes: [string, string, string][] = [
    [confirmed[0]!, 'c1', 'SENT'],
    [confirmed[1]!, 'c2', 'SENT'],
    [confirmed[2]!, 'c3', 'FAILED'],
    [gone, 'u1', 'CANCELLED'],
    [confirmed[3]!, 'old', 'QUEUED'],
  ];
  for (const [subscriberId, label, status] of outcomes) {
    const id = await email('ANNOUNCEMENT', status, address(label), subscriberId, '2026-06-13T09:00:00Z', {
      sent: status === 'SENT' ? '2026-06-13T09:01:00Z' : undefined,
      error: status === 'FAILED' ? 'Resend 500 internal_server_error: gave up' : undefined,
    });
    await pool.query(`INSERT INTO announcement_deliveries (announcement_id, subscriber_id, outbox_email_id) VALUES ($1::uuid, $2::uuid, $3::uuid)`, [
      announcement.rows[0].id,
      subscriberId,
      id,
    ]);
  }
  await pool.query(
    `INSERT INTO announcements (id, article_slug, title, status, backfilled, created_at, completed_at) VALUES (gen_random_uuid(), 'old-article', 'Old article', 'COMPLETED', true, $1, $1)`,
    [at('2026-06-01T00:00:00Z')],
  );

  // Webhooks: 3 bounces and 2 complaints in the window, one bounce before it.
  const events: [string, string][] = [
    ['email.bounced', '2026-06-13T10:00:00Z'],
    ['email.bounced', '2026-06-13T11:00:00Z'],
    ['email.bounced', '2026-06-14T10:00:00Z'],
    ['email.bounced', '2026-05-01T10:00:00Z'],
    ['email.complained', '2026-06-13T12:00:00Z'],
    ['email.complained', '2026-06-14T12:00:00Z'],
  ];
  for (const [index, [type, received]] of events.entries()) {
    await pool.query(`INSERT INTO webhook_events (svix_id, type, received_at) VALUES ($1, $2, $3)`, [`msg_${index}`, type, at(received)]);
  }
  const suppressions: [string, string, string][] = [
    ['hard-1', 'BOUNCE', '2026-06-13T10:00:00Z'],
    ['hard-old', 'BOUNCE', '2026-04-10T10:00:00Z'],
    ['complainer-1', 'COMPLAINT', '2026-06-13T12:00:00Z'],
    ['complainer-2', 'COMPLAINT', '2026-06-14T12:00:00Z'],
    ['manual-1', 'MANUAL', '2026-06-02T12:00:00Z'],
  ];
  for (const [label, reason, created] of suppressions) {
    await pool.query(`INSERT INTO suppressions (id, email, reason, created_at) VALUES (gen_random_uuid(), $1, $2::suppression_reason, $3)`, [address(label), reason, at(created)]);
  }
}

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runStatsCommand({
    argv,
    pool: poolOf(database.prisma),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    now: () => NOW,
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  database = await createTestDatabase();
  await seed(database);
}, 60_000);
afterAll(async () => {
  await database?.drop();
});

describe('npm run newsletter:stats on a seeded database', { timeout: 30_000 }, () => {
  let stats: NewsletterStats;
  beforeAll(async () => {
    const { code, stdout } = await run('--json');
    expect(code).toBe(0);
    stats = JSON.parse(stdout) as NewsletterStats;
  });

  it('has the JSON shape scripts rely on, and the same figures as the library', async () => {
    expect(Object.keys(stats)).toEqual(['generatedAt', 'window', 'subscribers', 'daily', 'totals', 'deliverability', 'announcements', 'outbox']);
    expect(stats.generatedAt).toBe(NOW.toISOString());
    expect(stats.window).toEqual({ days: 30, from: '2026-05-17', to: '2026-06-15' });
    expect(stats.daily).toHaveLength(30);
    expect(stats).toEqual(JSON.parse(JSON.stringify(await readNewsletterStats(poolOf(database.prisma), { now: NOW }))));
  });

  it('counts subscribers by status and preference (a pause that has ended counts as its delivery)', () => {
    expect(stats.subscribers).toEqual({
      total: 7,
      byStatus: { PENDING: 2, CONFIRMED: 4, UNSUBSCRIBED: 1 },
      byStatusAndPreference: [
        { status: 'CONFIRMED', preference: 'EVERY_ARTICLE', count: 2 },
        { status: 'CONFIRMED', preference: 'PAUSED', count: 1 },
        { status: 'CONFIRMED', preference: 'WEEKLY', count: 1 },
        { status: 'PENDING', preference: 'EVERY_ARTICLE', count: 2 },
        { status: 'UNSUBSCRIBED', preference: 'EVERY_ARTICLE', count: 1 },
      ],
    });
  });

  it('counts signups, confirmations and unsubscribes per UTC day, with the confirmation rate', () => {
    const busy = stats.daily.filter((day) => day.signups + day.confirmations + day.unsubscribes > 0);
    expect(busy).toEqual([
      { day: '2026-06-01', signups: 1, confirmations: 1, unsubscribes: 0, confirmedOfSignups: 1, confirmationRate: 1 },
      { day: '2026-06-10', signups: 3, confirmations: 0, unsubscribes: 0, confirmedOfSignups: 3, confirmationRate: 1 },
      { day: '2026-06-11', signups: 0, confirmations: 3, unsubscribes: 0, confirmedOfSignups: 0, confirmationRate: null },
      { day: '2026-06-12', signups: 0, confirmations: 0, unsubscribes: 1, confirmedOfSignups: 0, confirmationRate: null },
      { day: '2026-06-14', signups: 1, confirmations: 0, unsubscribes: 0, confirmedOfSignups: 0, confirmationRate: 0 },
      { day: '2026-06-15', signups: 1, confirmations: 0, unsubscribes: 0, confirmedOfSignups: 0, confirmationRate: 0 },
    ]);
    // The subscriber of April is outside the window.
    expect(stats.totals).toEqual({ signups: 6, confirmations: 4, unsubscribes: 1, confirmedOfSignups: 4, confirmationRate: 4 / 6 });
  });

  it('counts bounces and complaints in the window, with the complaint rate close to the 0.3% ceiling', () => {
    expect(stats.deliverability).toEqual({
      sent: 1000,
      bounces: 3,
      hardBounces: 1,
      complaints: 2,
      bounceRate: 0.003,
      complaintRate: 0.002,
      complaintCeiling: 0.003,
      complaintCloseAt: 0.001,
      complaintLevel: 'close',
      suppressions: { BOUNCE: 2, COMPLAINT: 2, MANUAL: 1 },
    });
  });

  it("counts each announcement's emails: queued, waiting, sent, failed, skipped", () => {
    expect(stats.announcements.total).toBe(2);
    expect(stats.announcements.shown.map(({ slug, status, backfilled, recipients, queued, waiting, sent, failed, skipped }) => ({ slug, status, backfilled, recipients, queued, waiting, sent, failed, skipped }))).toEqual([
      { slug: 'first-article', status: 'SENDING', backfilled: false, recipients: 5, queued: 5, waiting: 1, sent: 2, failed: 1, skipped: 1 },
      { slug: 'old-article', status: 'COMPLETED', backfilled: true, recipients: 0, queued: 0, waiting: 0, sent: 0, failed: 0, skipped: 0 },
    ]);
  });

  it("shows the outbox's depth and its oldest waiting email, without its address", () => {
    const { outbox } = stats;
    expect({ waiting: outbox.waiting, dueNow: outbox.dueNow, sending: outbox.sending, byKind: outbox.byKind, failedInWindow: outbox.failedInWindow }).toEqual({
      waiting: 4,
      dueNow: 2,
      sending: 1,
      byKind: [
        { kind: 'ANNOUNCEMENT', waiting: 1 },
        { kind: 'CONFIRMATION', waiting: 2 },
        { kind: 'WELCOME', waiting: 1 },
      ],
      failedInWindow: 2,
    });
    expect(outbox.oldest).toMatchObject({ kind: 'ANNOUNCEMENT', createdAt: '2026-06-13T09:00:00.000Z', ageSeconds: 51 * 3600, attempts: 0 });
    expect(outbox.oldest).not.toHaveProperty('to');
    expect(outbox.recentFailures.map((failure) => [failure.kind, failure.lastError])).toEqual([
      ['ANNOUNCEMENT', 'Resend 500 internal_server_error: gave up'],
      ['WELCOME', 'Resend 422 validation_error: Invalid `to` field: [email]'],
    ]);
  });

  it('prints aligned text with every section, and no address in text or JSON without --show-addresses', async () => {
    const { code, stdout, stderr } = await run();
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const output of [stdout, JSON.stringify(stats)]) expect(output).not.toContain('@');
    expect(stdout).toContain('Subscribers: 7');
    expect(stdout).toMatch(/^ {2}confirmed +every article +2$/m);
    expect(stdout).toMatch(/^ {2}confirmed +weekly digest +1$/m);
    expect(stdout).toMatch(/^ {2}2026-06-10 +3 +0 +0 +100\.0%$/m);
    expect(stdout).toMatch(/^ {2}total +6 +4 +1 +66\.7%$/m);
    expect(stdout).toMatch(/^ {2}complaints +2 +0\.200% +CLOSE to the ceiling: ceiling 0\.3% \(Gmail, Yahoo\), close from 0\.1%$/m);
    expect(stdout).toMatch(/^ {2}first-article +single +sending +5 +1 +2 +1 +1$/m);
    expect(stdout).toMatch(/^ {2}old-article +single +backfilled +0 +0 +0 +0 +0$/m);
    expect(stdout).toContain('  waiting: 4 (due now 2, sending 1, the rest waiting for a retry)');
    expect(stdout).toMatch(/oldest waiting: announcement [0-9a-f-]{36}, queued 2d 3h ago/);
    // Columns line up: every row of the daily table is as wide as its header.
    const daily = stdout.split('\n').filter((line) => /^ {2}(day|\d{4}-\d{2}-\d{2}|total) /.test(line));
    expect(daily).toHaveLength(32);
    expect(new Set(daily.map((line) => line.length)).size).toBe(1);
  });

  it('prints the addresses only when asked: --show-addresses', async () => {
    const text = (await run('--show-addresses')).stdout;
    expect(text).toContain(`to ${address('old')}, queued 2d 3h ago`);
    expect(text).toContain(`to ${address('c2')}: Resend 422 validation_error: Invalid \`to\` field: ${address('c2')}`);
    const json = JSON.parse((await run('--json', '--show-addresses')).stdout) as NewsletterStats;
    expect(json.outbox.oldest?.to).toBe(address('old'));
    expect(json.outbox.recentFailures.map((failure) => failure.to)).toEqual([address('c3'), address('c2')]);
  });

  it('takes a narrower window, and refuses bad options with usage and exit code 2 (reading nothing)', async () => {
    const week = JSON.parse((await run('--json', '--days', '7')).stdout) as NewsletterStats;
    expect(week.window).toEqual({ days: 7, from: '2026-06-09', to: '2026-06-15' });
    expect(week.totals).toMatchObject({ signups: 5, confirmations: 3, unsubscribes: 1 });
    expect(week.deliverability).toMatchObject({ sent: 1000, bounces: 3, complaints: 2 });
    for (const argv of [['--days', '0'], ['--days', 'ten'], ['--days', '400'], ['--bogus'], ['extra']]) {
      const result = await run(...argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('Usage: npm run newsletter:stats');
    }
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--show-addresses');
  });
});
