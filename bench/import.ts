/**
 * 8. Subscriber import: `npm run subscribers -- import` on a generated Substack export.
 *
 *   runImportBench({ rows: 100_000 })  → { header, rows } for the results table
 *   npx tsx --import ./scripts/lib/server-only.mjs bench/import.ts [--rows 100000]   (prints the table)
 *
 * A fresh database on the real Postgres (migrated, dropped after). Side by side in one run: a
 * tenth of the rows, then all of them (other addresses, so both are new), then the full file
 * again (every row already present: the rerun). Each is timed with this process's resident
 * memory sampled every 5 ms (peak minus the level before), so "memory stays flat" reads as the
 * growth at 10× the rows; the budget is 100,000 rows in 10 s. 5% of rows are unsubscribed
 * (suppressions), the rest subscribed.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createPrismaClient } from '../lib/db';
import { applyMigrations } from '../lib/db/migrate';
import type { PrismaClient } from '../lib/generated/prisma/client';
import { importSubscribers, type ImportReport } from '../lib/subscribers/import/importer';
import { createDatabase } from '../testing/postgres';
import { measureInProcess } from './lib/in-process';
import { bytes, num, seconds as secs, table } from './lib/stats';

export const IMPORT_BUDGET_MS = 10_000;

const DEFAULT_POSTGRES = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** A Substack-shaped export of `count` readers named `<label>-<n>@example.com`. */
async function writeExport(file: string, label: string, count: number): Promise<number> {
  const out = createWriteStream(file);
  out.write('email,active_subscription,expiry,plan,email_disabled,created_at,first_payment_at\n');
  const start = Date.parse('2021-01-01T00:00:00Z');
  for (let i = 1; i <= count; i += 1) {
    const at = new Date(start + i * 60_000).toISOString();
    const line = `${label}-${i}@example.com,false,,,${i % 20 === 0 ? 'true' : 'false'},${at},\n`;
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);
  return (await stat(file)).size;
}

export async function runImportBench(options: { rows: number; postgresUrl?: string; log?: (line: string) => void }) {
  const log = options.log ?? ((line: string) => console.error(`[import] ${line}`));
  const total = Math.max(10, Math.floor(options.rows));
  const tenth = Math.max(1, Math.floor(total / 10));
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-import-'));
  const database = await createDatabase({ adminUrl: options.postgresUrl ?? DEFAULT_POSTGRES, prefix: 'bench_import' });
  let db: PrismaClient | undefined;
  try {
    await applyMigrations(database.url);
    db = createPrismaClient(database.url);
    const smallFile = path.join(dir, 'small.csv');
    const largeFile = path.join(dir, 'large.csv');
    const smallBytes = await writeExport(smallFile, 'tenth', tenth);
    const largeBytes = await writeExport(largeFile, 'all', total);
    const run = (file: string) => measureInProcess(() => importSubscribers({ db: db!, input: createReadStream(file) }));
    log(`importing ${num(tenth)} rows`);
    const small = await run(smallFile);
    log(`importing ${num(total)} rows`);
    const large = await run(largeFile);
    log(`importing the ${num(total)} rows again`);
    const again = await run(largeFile);
    const detail = (m: { value: ImportReport; ms: number; rssBefore: number; rssPeak: number }, size: number) => {
      const c = m.value.counts;
      return `${bytes(size)} file; ${num(c.imported)} imported, ${num(c.suppressed)} suppressed, ${num(c.alreadyPresent)} already present, ${num(c.invalid)} invalid; ${num(m.value.rows / (m.ms / 1000))} rows/s; RSS +${bytes(m.rssPeak - m.rssBefore)} (peak ${bytes(m.rssPeak)})`;
    };
    const budget = (ms: number, rows: number) => (rows >= 100_000 ? (ms <= IMPORT_BUDGET_MS ? ' (budget 10 s: met)' : ' (budget 10 s: MISSED)') : '');
    return {
      header: ['Measure', 'Result', 'Detail'],
      rows: [
        [`Import ${num(tenth)} rows (Substack export)`, secs(small.ms, 2), detail(small, smallBytes)],
        [`Import ${num(total)} rows (Substack export)`, `${secs(large.ms, 2)}${budget(large.ms, total)}`, detail(large, largeBytes)],
        [`Import the same ${num(total)} rows again (rerun)`, secs(again.ms, 2), detail(again, largeBytes)],
      ],
    };
  } finally {
    await db?.$disconnect();
    await rm(dir, { recursive: true, force: true });
    await database.drop().catch((err: unknown) => log(`could not drop ${database.name}: ${err instanceof Error ? err.message : String(err)}`));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' } } });
  const result = await runImportBench({ rows: Number(values.rows) });
  console.log(table(result.header, result.rows));
  process.exit(0);
}
