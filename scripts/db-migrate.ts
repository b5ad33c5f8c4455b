/**
 * npm run db:migrate
 *
 * Applies pending prisma/migrations to DATABASE_URL, or, when it is unset, to the embedded
 * database in .data/pglite (the one `npm run dev` uses). Same effect and bookkeeping as
 * `prisma migrate deploy`, without the native engine it would download.
 */
import { loadDotEnvFiles } from '../lib/db/dotenv';

loadDotEnvFiles();

async function main(): Promise<void> {
  const { applyMigrations } = await import('../lib/db/migrate');
  const { openCommandDatabase } = await import('../lib/db/command-database');

  const { url, embedded } = await openCommandDatabase();
  try {
    const applied = await applyMigrations(url);
    const where = embedded ? 'the embedded database (.data/pglite)' : redact(url);
    if (applied.length === 0) console.log(`Database ${where} is up to date.`);
    else console.log(`Applied to ${where}:\n${applied.map((name) => `  ${name}`).join('\n')}`);
  } finally {
    await embedded?.stop();
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
