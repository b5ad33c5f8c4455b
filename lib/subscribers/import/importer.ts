import { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import type { PoolClient } from 'pg';
import { poolOf } from '../../db';
import type { PrismaClient } from '../../generated/prisma/client';
import { decideRow, type RowDecision } from './decide';
import { detectFormat, FORMATS, type FormatName, type SourceFormat } from './formats';

/**
 * `npm run subscribers -- import`: streams a CSV export through csv-parse, decides each row
 * (decide.ts), and writes in chunks with INSERT … ON CONFLICT DO NOTHING, so memory stays flat
 * and running the same file again changes nothing. Subscribed addresses become CONFIRMED
 * subscribers whose created_at/confirmed_at are the source's subscription date and whose source
 * is "import:<format>" (the consent evidence); the others become IMPORT suppressions. An address
 * already here (any spelling of its inbox, or suppressed) is left as it is. Nothing is emailed:
 * no outbox row is written.
 */

export type ImportCounts = { imported: number; alreadyPresent: number; suppressed: number; invalid: number };

export type ImportProblem = { line: number; email?: string; reason: string };
export type AlreadyPresent = { line: number; email: string; here: string };

export type ImportReport = {
  format: FormatName;
  dryRun: boolean;
  strict: boolean;
  /** Data rows read (the header excluded). */
  rows: number;
  counts: ImportCounts;
  /** Every bad row, in file order. */
  problems: ImportProblem[];
  /** Every address left as it was because it is already here. */
  present: AlreadyPresent[];
  /** False for --dry-run, and for --strict when a row was bad: the database is as it was. */
  written: boolean;
};

/** The file as a whole cannot be imported (no email column, not CSV, not UTF-8 header): nothing changed. */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}

export type ImportOptions = {
  db: PrismaClient;
  input: Readable | AsyncIterable<Buffer | string> | Iterable<Buffer | string>;
  /** Forced format; detected from the header otherwise. */
  format?: FormatName;
  dryRun?: boolean;
  /** Any bad row and nothing is written. */
  strict?: boolean;
  now?: Date;
  /** Rows per write (default 2,000). */
  chunkSize?: number;
  onProgress?: (progress: { rows: number; counts: ImportCounts }) => void;
};

// Plain SQL on one pooled connection (lib/db.ts poolOf): Prisma's per-query work on 2,000-element
// arrays cost more than the statements, and --strict needs the chunks in one transaction.
type Db = PoolClient;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Fails early on a spreadsheet or other binary file, which csv-parse would read as garbage rows. */
async function* refuseBinary(input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): AsyncGenerator<Buffer> {
  let first = true;
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (first && buffer.subarray(0, 8192).includes(0)) {
      throw new ImportFileError('not a CSV file: it holds binary data (a spreadsheet? export it as CSV)');
    }
    first = false;
    yield buffer;
  }
}

function decodeFields(fields: Buffer[]): string[] | undefined {
  try {
    return fields.map((field) => utf8.decode(field));
  } catch {
    return undefined;
  }
}

export async function importSubscribers(options: ImportOptions): Promise<ImportReport> {
  const dryRun = options.dryRun ?? false;
  // --strict: one transaction, rolled back at the end if any row was bad: all or nothing.
  const transaction = (options.strict ?? false) && !dryRun;
  const client = await poolOf(options.db).connect();
  try {
    if (transaction) await client.query('BEGIN');
    const report = await run(client, options, dryRun);
    if (transaction && report.counts.invalid > 0) {
      await client.query('ROLLBACK');
      return { ...report, written: false };
    }
    if (transaction) await client.query('COMMIT');
    return report;
  } catch (err) {
    if (transaction) await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

async function run(db: Db, options: ImportOptions, dryRun: boolean): Promise<ImportReport> {
  const now = options.now ?? new Date();
  const chunkSize = options.chunkSize ?? 2_000;
  const problems: ImportProblem[] = [];
  const present: AlreadyPresent[] = [];
  const counts: ImportCounts = { imported: 0, alreadyPresent: 0, suppressed: 0, invalid: 0 };
  // First line of each inbox in this file, so a second spelling of one reader is a duplicate row.
  const seen = new Map<string, number>();
  let format: SourceFormat | undefined;
  let headers: string[] = [];
  let rows = 0;
  let chunk: Extract<RowDecision, { kind: 'subscribe' | 'suppress' }>[] = [];

  const bad = (problem: ImportProblem) => {
    counts.invalid += 1;
    problems.push(problem);
  };

  const parser = parse({
    encoding: null,
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
  });
  parser.on('skip', (err: CsvError) => {
    // A record csv-parse could not read (an unclosed quote, a stray quote in a field).
    rows += 1;
    const reason = err.message.replace(/, value is .*$/s, '').replace(/ at line \d+/, '');
    bad({ line: (err as CsvError & { lines?: number }).lines ?? rows + 1, reason: `not valid CSV: ${reason}` });
  });
  const source = Readable.from(refuseBinary(options.input));
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);

  const flush = async () => {
    if (chunk.length === 0) return;
    const batch = chunk;
    chunk = [];
    await writeChunk(db, batch, format!, now, dryRun, counts, present);
    options.onProgress?.({ rows, counts });
  };

  for await (const { record, info } of parser as AsyncIterable<{ record: Buffer[]; info: { lines: number } }>) {
    const fields = decodeFields(record);
    if (!format) {
      if (!fields) throw new ImportFileError('not UTF-8: the header line is not valid UTF-8 (save the file as UTF-8 CSV)');
      headers = fields.map((name) => name.trim().toLowerCase());
      format = pickFormat(new Set(headers), options.format, fields);
      continue;
    }
    rows += 1;
    const line = info.lines;
    if (!fields) {
      bad({ line, reason: 'not UTF-8 (save the file as UTF-8 CSV)' });
      continue;
    }
    if (fields.length !== headers.length) {
      bad({ line, reason: `${fields.length} ${fields.length === 1 ? 'field' : 'fields'} where the header has ${headers.length}` });
      continue;
    }
    const row = new Map(headers.map((name, i) => [name, fields[i]!]));
    const decision = decideRow(format, row, line, now);
    if (decision.kind === 'invalid') {
      bad(decision);
      continue;
    }
    const first = seen.get(decision.inbox);
    if (first !== undefined) {
      bad({ line, email: decision.email, reason: `duplicate of line ${first}` });
      continue;
    }
    seen.set(decision.inbox, line);
    chunk.push(decision);
    if (chunk.length >= chunkSize) await flush();
  }
  if (!format) throw new ImportFileError('the file is empty: expected a header line naming an email column');
  await flush();
  options.onProgress?.({ rows, counts });
  problems.sort((a, b) => a.line - b.line);
  return { format: format.name, dryRun, strict: options.strict ?? false, rows, counts, problems, present, written: !dryRun };
}

function pickFormat(headers: ReadonlySet<string>, forced: FormatName | undefined, original: string[]): SourceFormat {
  const shown = original.map((name) => JSON.stringify(name.trim())).join(', ');
  if (forced) {
    const format = FORMATS[forced];
    if (!headers.has(format.emailColumn)) {
      throw new ImportFileError(`missing email column: a ${forced} export has "${format.emailColumn}"; this header has ${shown}`);
    }
    return format;
  }
  const detected = detectFormat(headers);
  if (detected) return detected;
  if (!headers.has('email') && !headers.has('email address')) {
    throw new ImportFileError(`missing email column: the header (first line) has ${shown}; expected "email" (or Mailchimp's "Email Address")`);
  }
  throw new ImportFileError(`unknown format: the header has ${shown}; name one with --format (substack, ghost, buttondown, mailchimp, plain)`);
}

/** One chunk: which addresses are already here, then the inserts (skipped for a dry run). */
async function writeChunk(
  db: Db,
  batch: Extract<RowDecision, { kind: 'subscribe' | 'suppress' }>[],
  format: SourceFormat,
  now: Date,
  dryRun: boolean,
  counts: ImportCounts,
  present: AlreadyPresent[],
): Promise<void> {
  const emails = batch.map((d) => d.email);
  // Here already: a subscriber with the same inbox (the generated column; decide.ts computes the
  // same canonical inbox, test/db/inbox.test.ts keeps the two in step), or a suppression of this
  // address. Either way the row is left as it is.
  const subscribed = await db.query<{ inbox: string; status: string }>(
    'SELECT inbox, lower(status::text) AS status FROM subscribers WHERE inbox = ANY($1::text[])',
    [batch.map((d) => d.inbox)],
  );
  const suppressed = await db.query<{ email: string; reason: string }>(
    'SELECT email, lower(reason::text) AS reason FROM suppressions WHERE email = ANY($1::text[])',
    [emails],
  );
  const byInbox = new Map(subscribed.rows.map((row) => [row.inbox, row.status]));
  const bySuppression = new Map(suppressed.rows.map((row) => [row.email, `suppressed: ${row.reason}`]));
  const subscribe: Extract<RowDecision, { kind: 'subscribe' }>[] = [];
  const suppress: Extract<RowDecision, { kind: 'suppress' }>[] = [];
  for (const decision of batch) {
    const state = byInbox.get(decision.inbox) ?? bySuppression.get(decision.email);
    if (state !== undefined) {
      counts.alreadyPresent += 1;
      present.push({ line: decision.line, email: decision.email, here: state });
    } else if (decision.kind === 'subscribe') subscribe.push(decision);
    else suppress.push(decision);
  }
  if (dryRun) {
    counts.imported += subscribe.length;
    counts.suppressed += suppress.length;
    return;
  }
  const source = `import:${format.name}`;
  if (subscribe.length > 0) {
    const inserted = await db.query<{ email: string }>(
      `INSERT INTO subscribers (id, email, status, source, created_at, updated_at, confirmed_at)
       SELECT gen_random_uuid(), t.email, 'CONFIRMED', $3, COALESCE(t.at, $4), $4, COALESCE(t.at, $4)
       FROM unnest($1::text[], $2::timestamptz[]) AS t(email, at)
       ON CONFLICT (email) DO NOTHING
       RETURNING email`,
      [subscribe.map((d) => d.email), subscribe.map((d) => d.subscribedAt?.toISOString() ?? null), source, now.toISOString()],
    );
    counts.imported += inserted.rows.length;
    noteRaced(subscribe, inserted.rows, counts, present);
  }
  if (suppress.length > 0) {
    const inserted = await db.query<{ email: string }>(
      `INSERT INTO suppressions (id, email, reason, created_at, source_event_id)
       SELECT gen_random_uuid(), t.email, 'IMPORT', $3, $4 || ':' || t.status
       FROM unnest($1::text[], $2::text[]) AS t(email, status)
       ON CONFLICT (email) DO NOTHING
       RETURNING email`,
      [suppress.map((d) => d.email), suppress.map((d) => d.status), now.toISOString(), source],
    );
    counts.suppressed += inserted.rows.length;
    noteRaced(suppress, inserted.rows, counts, present);
  }
}

/** A row another writer (a signup, a second import) inserted between the check and the insert. */
function noteRaced(batch: readonly RowDecision[], inserted: readonly { email: string }[], counts: ImportCounts, present: AlreadyPresent[]) {
  if (inserted.length === batch.length) return;
  const done = new Set(inserted.map((row) => row.email));
  for (const decision of batch) {
    if (decision.kind === 'invalid' || done.has(decision.email)) continue;
    counts.alreadyPresent += 1;
    present.push({ line: decision.line, email: decision.email, here: 'added meanwhile' });
  }
}
