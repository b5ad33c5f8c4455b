import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureLogs } from '../newsletter/support';

const dbState = await vi.hoisted(async () => (await import('../newsletter/email-env')).hoistedTestState());
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('../newsletter/mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), dbState),
);

import { announceNewArticles } from '@/lib/announce/enqueue';
import { SUBSCRIBER_COLUMN_NAMES } from '@/lib/newsletter/subscriber-columns';
import { runSubscribersCommand } from '@/lib/subscribers/command';
import { importSubscribers } from '@/lib/subscribers/import/importer';
import { recipientsOf, startAnnounceEnv, type AnnounceTestEnv } from '../announce/support';

/**
 * `npm run subscribers -- import|export` against the real Postgres: each source's sample export
 * (test/fixtures/import, written from the columns formats.ts documents), every kind of bad row,
 * reruns, --dry-run, --strict, and an announcement after an import.
 */

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/import');
const fixture = (name: string) => path.join(FIXTURES, name);
const NOW = new Date('2026-06-15T12:00:00Z');

let t: AnnounceTestEnv;

beforeAll(async () => {
  captureLogs();
  t = await startAnnounceEnv(dbState);
}, 60_000);
afterAll(async () => {
  await t?.close();
  vi.restoreAllMocks();
});
beforeEach(async () => {
  await t.reset();
});

class Sink extends PassThrough {
  text = '';
  constructor() {
    super();
    this.on('data', (chunk: Buffer) => (this.text += chunk.toString()));
  }
}

async function cli(...argv: string[]) {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runSubscribersCommand({ argv, db: t.prisma, stdout, stderr, now: NOW });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function subscribers() {
  return t.prisma.subscriber.findMany({
    orderBy: { email: 'asc' },
    select: { email: true, status: true, source: true, createdAt: true, confirmedAt: true },
  });
}

async function suppressions() {
  return (await t.prisma.suppression.findMany({ orderBy: { email: 'asc' }, select: { email: true, reason: true, sourceEventId: true } })).map(
    (row) => [row.email, row.reason, row.sourceEventId],
  );
}

async function snapshot() {
  return { subscribers: await subscribers(), suppressions: await suppressions(), outbox: await t.prisma.outboxEmail.count() };
}

const confirmed = (email: string, source: string, at: string) => ({
  email,
  status: 'CONFIRMED',
  source,
  createdAt: new Date(at),
  confirmedAt: new Date(at),
});

describe('each source format', () => {
  it('Substack: subscribed readers are confirmed with their date; email_disabled ones are suppressed', async () => {
    const run = await cli('import', fixture('substack.csv'));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('substack format, 3 rows');
    expect(run.stdout).toMatch(/Imported: 2 confirmed[\s\S]*Already present: 0[\s\S]*Suppressed: 1 [\s\S]*Invalid: 0/);
    expect(await subscribers()).toEqual([
      confirmed('ada@example.com', 'import:substack', '2023-03-14T09:26:53.589Z'),
      confirmed('grace.hopper@example.org', 'import:substack', '2022-11-02T18:04:11.000Z'),
    ]);
    expect(await suppressions()).toEqual([['linus@example.net', 'IMPORT', 'import:substack:unsubscribed']]);
  });

  it('Ghost: subscribed_to_emails decides', async () => {
    expect((await cli('import', fixture('ghost.csv'))).code).toBe(0);
    expect(await subscribers()).toEqual([
      confirmed('ada@example.com', 'import:ghost', '2023-07-19T10:15:30.000Z'),
      confirmed('barbara@example.org', 'import:ghost', '2023-08-01T08:00:00.000Z'),
    ]);
    expect(await suppressions()).toEqual([['edsger@example.net', 'IMPORT', 'import:ghost:unsubscribed']]);
  });

  it('Buttondown: regular and premium are subscribers; unsubscribed and undeliverable are suppressed', async () => {
    expect((await cli('import', fixture('buttondown.csv'))).code).toBe(0);
    expect(await subscribers()).toEqual([
      confirmed('ada@example.com', 'import:buttondown', '2024-01-05T14:03:22.123Z'),
      confirmed('margaret@example.org', 'import:buttondown', '2024-02-10T09:00:00Z'),
    ]);
    expect(await suppressions()).toEqual([
      ['dennis@example.com', 'IMPORT', 'import:buttondown:bounced'],
      ['ken@example.net', 'IMPORT', 'import:buttondown:unsubscribed'],
    ]);
  });

  it("Mailchimp: the audience export's three files (times in GMT, CONFIRM_TIME before OPTIN_TIME)", async () => {
    for (const file of ['mailchimp-subscribed.csv', 'mailchimp-unsubscribed.csv', 'mailchimp-cleaned.csv']) {
      const run = await cli('import', fixture(file));
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout).toContain('mailchimp format');
    }
    expect(await subscribers()).toEqual([
      confirmed('ada@example.com', 'import:mailchimp', '2022-05-01T10:02:31Z'),
      confirmed('frances@example.org', 'import:mailchimp', '2021-09-15T16:20:00Z'),
    ]);
    expect(await suppressions()).toEqual([
      ['alan@example.com', 'IMPORT', 'import:mailchimp:cleaned'],
      ['john@example.net', 'IMPORT', 'import:mailchimp:unsubscribed'],
    ]);
  });

  it('plain: email[,name,status,subscribed_at]', async () => {
    expect((await cli('import', fixture('plain.csv'))).code).toBe(0);
    expect(await subscribers()).toEqual([
      confirmed('ada@example.com', 'import:plain', '2020-01-01T00:00:00Z'),
      confirmed('katherine@example.org', 'import:plain', '2020-02-01T12:00:00Z'),
    ]);
    expect(await suppressions()).toEqual([['hedy@example.net', 'IMPORT', 'import:plain:bounced']]);
  });

  it('--format overrides detection, and refuses a file without that source\'s email column', async () => {
    const forced = await cli('import', fixture('substack.csv'), '--format', 'mailchimp');
    expect(forced.code).toBe(1);
    expect(forced.stderr).toMatch(/missing email column: a mailchimp export has "email address"/);
    expect(await snapshot()).toEqual({ subscribers: [], suppressions: [], outbox: 0 });
    expect((await cli('import', fixture('substack.csv'), '--format', 'nope')).code).toBe(2);
  });

  it('sends nothing: no outbox row, nothing at the provider', async () => {
    await cli('import', fixture('ghost.csv'));
    await cli('import', fixture('buttondown.csv'));
    expect(await t.prisma.outboxEmail.count()).toBe(0);
    expect(t.fake.deliveries()).toEqual([]);
  });
});

describe('bad input', () => {
  it('lists every bad row with its line and reason and imports the good ones', async () => {
    const run = await cli('import', fixture('bad-rows.csv'));
    expect(run.code).toBe(1);
    const listed = run.stdout.split('\n').filter((line) => line.startsWith('  line '));
    expect(listed).toEqual([
      '  line 3: invalid address (not-an-address)',
      '  line 4: no address',
      '  line 5: unknown status: status "maybe" (odd@example.com)',
      '  line 6: duplicate of line 2 (ok@example.com)',
      '  line 7: unreadable date "someday" (late@example.com)',
      '  line 8: 1 field where the header has 4',
      expect.stringMatching(/^ {2}line 9: not valid CSV: .*quote/i),
      '  line 10: not UTF-8 (save the file as UTF-8 CSV)',
    ]);
    expect(run.stdout).toMatch(/plain format, 10 rows/);
    expect(run.stdout).toMatch(/Imported: 2 confirmed[\s\S]*Already present: 0[\s\S]*Suppressed: 0 [\s\S]*Invalid: 8/);
    expect(await subscribers()).toEqual([
      // No date in the file: the import's time, with the source saying where the consent was given.
      confirmed('fine@example.com', 'import:plain', NOW.toISOString()),
      confirmed('ok@example.com', 'import:plain', '2024-01-01T00:00:00Z'),
    ]);
  });

  it('a file without an email column, a binary file, an empty file: refused whole, nothing changed', async () => {
    const missing = await cli('import', fixture('no-email-column.csv'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('missing email column: the header (first line) has "name", "address"');
    const binary = await cli('import', fixture('not-csv.csv'));
    expect(binary.code).toBe(1);
    expect(binary.stderr).toContain('not a CSV file');
    const empty = await importSubscribers({ db: t.prisma, input: [Buffer.from('')] }).catch((err: Error) => err.message);
    expect(empty).toMatch(/the file is empty/);
    const latinHeader = await importSubscribers({ db: t.prisma, input: [Buffer.from('e\xe9mail\nada@example.com\n', 'latin1')] }).catch(
      (err: Error) => err.message,
    );
    expect(latinHeader).toMatch(/not UTF-8/);
    expect((await cli('import', fixture('does-not-exist.csv'))).code).toBe(2);
    expect(await snapshot()).toEqual({ subscribers: [], suppressions: [], outbox: 0 });
  });

  it('--strict imports nothing when a row is bad, and everything when none is', async () => {
    const refused = await cli('import', fixture('bad-rows.csv'), '--strict');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('Nothing imported: --strict and 8 bad rows');
    expect(refused.stdout).toContain('Imported: 2 would be confirmed subscribers');
    expect(await snapshot()).toEqual({ subscribers: [], suppressions: [], outbox: 0 });

    const clean = await cli('import', fixture('buttondown.csv'), '--strict');
    expect(clean.code).toBe(0);
    expect((await snapshot()).subscribers).toHaveLength(2);
    expect((await snapshot()).suppressions).toHaveLength(2);
  });
});

describe('reruns, dry runs and addresses already here', () => {
  it('running the same file again changes nothing and reports every address as already here', async () => {
    expect((await cli('import', fixture('buttondown.csv'))).code).toBe(0);
    const before = await snapshot();
    const again = await cli('import', fixture('buttondown.csv'));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Imported: 0 [\s\S]*Already present: 4[\s\S]*Suppressed: 0 /);
    expect(again.stdout).toContain('line 2: ada@example.com (confirmed)');
    expect(again.stdout).toContain('line 4: ken@example.net (suppressed: import)');
    expect(await snapshot()).toEqual(before);
  });

  it('--dry-run reports what would happen and writes nothing', async () => {
    await t.prisma.subscriber.create({ data: { email: 'ada@example.com', status: 'PENDING' } });
    const before = await snapshot();
    const run = await cli('import', fixture('ghost.csv'), '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('(dry run: nothing written)');
    expect(run.stdout).toMatch(/Imported: 1 would be confirmed[\s\S]*Already present: 1[\s\S]*Suppressed: 1 would be added/);
    expect(await snapshot()).toEqual(before);
  });

  it('an address already here in another spelling of its inbox is left as it is', async () => {
    await t.prisma.subscriber.create({ data: { email: 'a.da@gmail.com', status: 'PENDING', source: 'home' } });
    await t.prisma.suppression.create({ data: { email: 'hedy@example.net', reason: 'COMPLAINT' } });
    const file = 'email,status\nAda+old-list@googlemail.com,subscribed\nhedy@example.net,subscribed\nnew@example.com,\n';
    const report = await importSubscribers({ db: t.prisma, input: [Buffer.from(file)], now: NOW });
    expect(report.counts).toEqual({ imported: 1, alreadyPresent: 2, suppressed: 0, invalid: 0 });
    expect(report.present).toEqual([
      { line: 2, email: 'ada+old-list@googlemail.com', here: 'pending' },
      { line: 3, email: 'hedy@example.net', here: 'suppressed: complaint' },
    ]);
    expect(await t.prisma.subscriber.findUniqueOrThrow({ where: { email: 'a.da@gmail.com' } })).toMatchObject({ status: 'PENDING', source: 'home' });
    expect(await suppressions()).toEqual([['hedy@example.net', 'COMPLAINT', null]]);
  });

  it('writes in chunks: a duplicate across chunks is still a duplicate, progress is reported per chunk', async () => {
    const lines = ['email'];
    for (let i = 0; i < 9; i += 1) lines.push(`reader${i}@example.com`);
    lines.push('Reader1@example.com');
    const progress: number[] = [];
    const report = await importSubscribers({
      db: t.prisma,
      input: [Buffer.from(lines.join('\r\n'))],
      chunkSize: 4,
      onProgress: ({ rows }) => progress.push(rows),
    });
    expect(report.counts).toEqual({ imported: 9, alreadyPresent: 0, suppressed: 0, invalid: 1 });
    expect(report.problems).toEqual([{ line: 11, email: 'reader1@example.com', reason: 'duplicate of line 3' }]);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(await t.prisma.subscriber.count()).toBe(9);
  });
});

describe('after an import', () => {
  it('an announcement reaches the imported subscribers and never the suppressed addresses', async () => {
    await t.writeArticle('old-one', { date: '2026-01-01' });
    await announceNewArticles({ db: t.prisma, contentDir: t.contentDir, now: NOW }); // first run: backfill
    await cli('import', fixture('ghost.csv'));
    await cli('import', fixture('mailchimp-cleaned.csv'));
    await cli('import', fixture('mailchimp-unsubscribed.csv'));
    // A suppressed address that then signs up some other way is still never sent anything.
    await t.prisma.subscriber.create({ data: { email: 'alan@example.com', status: 'CONFIRMED', confirmedAt: NOW } });

    await t.writeArticle('new-one', { date: '2026-06-15', title: 'After the move' });
    expect(await announceNewArticles({ db: t.prisma, contentDir: t.contentDir, now: NOW })).toMatchObject({ queued: 2 });
    await t.send();
    expect(recipientsOf(t.fake.deliveries(), 'After the move')).toEqual(new Set(['ada@example.com', 'barbara@example.org']));
    const everyone = new Set(t.fake.deliveries().flatMap((d) => d.to));
    for (const suppressed of ['edsger@example.net', 'alan@example.com', 'john@example.net']) expect(everyone.has(suppressed)).toBe(false);
  });
});

describe('export', () => {
  it('writes the shared columns as CSV, filtered by status', async () => {
    await cli('import', fixture('buttondown.csv'));
    await t.prisma.subscriber.create({ data: { email: 'pending@example.com', status: 'PENDING', source: 'article:raft' } });
    await t.prisma.subscriber.create({
      data: { email: 'left@example.com', status: 'UNSUBSCRIBED', createdAt: new Date('2025-01-01T00:00:00Z'), unsubscribedAt: new Date('2025-02-01T00:00:00Z') },
    });

    const all = await cli('export');
    expect(all.code).toBe(0);
    const rows = parse(all.stdout, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual(SUBSCRIBER_COLUMN_NAMES);
    expect(SUBSCRIBER_COLUMN_NAMES).toEqual(['email', 'status', 'source', 'created', 'confirmed', 'unsubscribed', 'preferences', 'suppression']);
    expect(rows.map((row) => [row.email, row.status, row.source, row.suppression])).toEqual([
      ['ada@example.com', 'confirmed', 'import:buttondown', ''],
      ['dennis@example.com', 'suppressed', 'import:buttondown:bounced', 'import'],
      ['ken@example.net', 'suppressed', 'import:buttondown:unsubscribed', 'import'],
      ['left@example.com', 'unsubscribed', '', ''],
      ['margaret@example.org', 'confirmed', 'import:buttondown', ''],
      ['pending@example.com', 'pending', 'article:raft', ''],
    ]);
    expect(rows[0]).toMatchObject({ created: '2024-01-05T14:03:22.123Z', confirmed: '2024-01-05T14:03:22.123Z', unsubscribed: '', preferences: 'every' });
    expect(rows.find((row) => row.email === 'left@example.com')).toMatchObject({ unsubscribed: '2025-02-01T00:00:00.000Z' });

    const only = async (status: string) => (parse((await cli('export', '--status', status)).stdout, { columns: true }) as { email: string }[]).map((r) => r.email);
    expect(await only('confirmed')).toEqual(['ada@example.com', 'margaret@example.org']);
    expect(await only('pending')).toEqual(['pending@example.com']);
    expect(await only('unsubscribed')).toEqual(['left@example.com']);
    expect((await cli('export', '--status', 'gone')).code).toBe(2);
  });
});
