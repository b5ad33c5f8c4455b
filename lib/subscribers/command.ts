import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { PrismaClient } from '../generated/prisma/client';
import { EXPORT_STATUSES, exportSubscribers, type ExportStatus } from './export';
import { FORMAT_NAMES, isFormatName } from './import/formats';
import { ImportFileError, importSubscribers, type ImportReport } from './import/importer';

/**
 * `npm run subscribers -- import|export`: what scripts/subscribers.ts runs, here so tests drive it
 * with their own database and streams. Exit codes: 0 done, 1 bad rows (or a file that cannot be
 * imported), 2 bad usage.
 */

export const USAGE = `Usage:
  npm run subscribers -- import FILE.csv [--format ${FORMAT_NAMES.join('|')}] [--dry-run] [--strict]
  npm run subscribers -- export [--status ${EXPORT_STATUSES.join('|')}] > subscribers.csv

import   takes a list exported from Substack, Ghost, Buttondown or Mailchimp (detected from the
         header), or a plain email[,name,status,subscribed_at] file. Subscribed addresses become
         confirmed subscribers (their subscription date kept); unsubscribed, bounced and cleaned
         ones are suppressed, so nothing is ever sent to them. Addresses already here are left as
         they are. Nothing is emailed. Running the same file again changes nothing.
  --format     the source, when the header does not say
  --dry-run    say what would happen; write nothing
  --strict     import nothing if any row is bad
export   writes CSV to stdout: ${'email, status, source, created, confirmed, unsubscribed, preferences, suppression'}
  --status     confirmed, pending, unsubscribed or all (default all)`;

export type Stream = Pick<Writable, 'write'> & { isTTY?: boolean };

export type SubscribersCommandOptions = {
  argv: readonly string[];
  db: PrismaClient;
  stdout: Writable;
  stderr: Stream;
  now?: Date;
};

const fmt = (n: number) => n.toLocaleString('en-US');

export async function runSubscribersCommand(options: SubscribersCommandOptions): Promise<number> {
  const { stderr } = options;
  let parsed;
  try {
    parsed = parseArgs({
      args: [...options.argv],
      options: {
        format: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        strict: { type: 'boolean', default: false },
        status: { type: 'string', default: 'all' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: true,
    });
  } catch (err) {
    stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help) {
    options.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === 'import' && rest.length === 1) {
    if (values.format !== undefined && !isFormatName(values.format)) {
      stderr.write(`Unknown --format "${values.format}": expected ${FORMAT_NAMES.join(', ')}\n`);
      return 2;
    }
    return runImport(options, rest[0]!, values.format, values['dry-run'], values.strict);
  }
  if (command === 'export' && rest.length === 0) {
    if (!(EXPORT_STATUSES as readonly string[]).includes(values.status)) {
      stderr.write(`Unknown --status "${values.status}": expected ${EXPORT_STATUSES.join(', ')}\n`);
      return 2;
    }
    const { rows } = await exportSubscribers({ db: options.db, status: values.status as ExportStatus, output: options.stdout });
    stderr.write(`Exported ${fmt(rows)} ${rows === 1 ? 'address' : 'addresses'}.\n`);
    return 0;
  }
  stderr.write(`${USAGE}\n`);
  return 2;
}

async function runImport(options: SubscribersCommandOptions, file: string, format: string | undefined, dryRun: boolean, strict: boolean): Promise<number> {
  const { stderr, stdout } = options;
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    stderr.write(`No such file: ${file}\n`);
    return 2;
  }
  let lastShown = 0;
  let report: ImportReport;
  try {
    report = await importSubscribers({
      db: options.db,
      input: createReadStream(file),
      format: format && isFormatName(format) ? format : undefined,
      dryRun,
      strict,
      now: options.now,
      onProgress: ({ rows, counts }) => {
        // On a terminal one line rewritten in place; in a log, a line per 10,000 rows.
        if (!stderr.isTTY && rows - lastShown < 10_000) return;
        lastShown = rows;
        const line = `read ${fmt(rows)} rows: ${fmt(counts.imported)} new, ${fmt(counts.alreadyPresent)} already here, ${fmt(counts.suppressed)} suppressed, ${fmt(counts.invalid)} bad`;
        stderr.write(stderr.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
      },
    });
  } catch (err) {
    if (!(err instanceof ImportFileError)) throw err;
    stderr.write(`${stderr.isTTY ? '\r\x1b[2K' : ''}Cannot import ${file}: ${err.message}. Nothing was changed.\n`);
    return 1;
  }
  if (stderr.isTTY) stderr.write('\r\x1b[2K');
  stdout.write(formatImportReport(report, file));
  return report.counts.invalid > 0 ? 1 : 0;
}

/** The report: bad rows, addresses already here, then the counts. */
export function formatImportReport(report: ImportReport, file: string): string {
  const lines: string[] = [];
  const would = report.written ? '' : 'would be ';
  lines.push(`${file}: ${report.format} format, ${fmt(report.rows)} ${report.rows === 1 ? 'row' : 'rows'}${report.dryRun ? ' (dry run: nothing written)' : ''}`);
  if (report.problems.length > 0) {
    lines.push('', `Bad rows (${fmt(report.problems.length)}):`);
    for (const p of report.problems) lines.push(`  line ${p.line}: ${p.reason}${p.email ? ` (${p.email})` : ''}`);
  }
  if (report.present.length > 0) {
    lines.push('', `Already here, left as they are (${fmt(report.present.length)}):`);
    for (const p of report.present) lines.push(`  line ${p.line}: ${p.email} (${p.here})`);
  }
  lines.push('');
  if (report.strict && report.counts.invalid > 0 && !report.dryRun) {
    lines.push(`Nothing imported: --strict and ${fmt(report.counts.invalid)} bad ${report.counts.invalid === 1 ? 'row' : 'rows'}. Fix them and run again.`);
  }
  const c = report.counts;
  lines.push(
    `Imported: ${fmt(c.imported)} ${would}confirmed subscribers`,
    `Already present: ${fmt(c.alreadyPresent)}`,
    `Suppressed: ${fmt(c.suppressed)} ${would}added to the suppression list (never emailed)`,
    `Invalid: ${fmt(c.invalid)}`,
    'No email was sent.',
  );
  return `${lines.join('\n')}\n`;
}
