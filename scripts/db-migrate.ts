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
  const { env, envIssues } = await import('../lib/env');
  const { applyMigrations } = await import('../lib/db/migrate');
  const { startEmbeddedPostgres } = await import('../lib/db/embedded');

  const databaseIssue = envIssues.find((issue) => issue.name === 'DATABASE_URL');
  if (databaseIssue) throw new Error(`DATABASE_URL is invalid: ${databaseIssue.message}`);

  const embedded = env.DATABASE_URL ? undefined : await startEmbeddedPostgres();
  const url = env.DATABASE_URL ?? embedded!.connectionString;
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
