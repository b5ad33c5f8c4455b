/**
 * The container image's migration command: `node migrate.mjs` in the image's /app, which is this
 * file bundled by scripts/prepare-standalone.mjs (esbuild) into .next/standalone/migrate.mjs,
 * next to the server and prisma/migrations. The Kubernetes migration Job runs it.
 *
 * Same engine and bookkeeping as `npm run db:migrate` (lib/db/migrate.ts, `_prisma_migrations`),
 * but for production: no .env files and no embedded-database fallback. Without a valid
 * DATABASE_URL it exits 1 instead of migrating a throwaway database and reporting success.
 * Logs are lib/log lines (JSON under NODE_ENV=production).
 */
import { env, envIssues } from '../lib/env';
import { applyMigrations } from '../lib/db/migrate';
import { log } from '../lib/log';

async function main(): Promise<number> {
  const issue = envIssues.find((entry) => entry.name === 'DATABASE_URL');
  if (issue) {
    log.error('migrate: DATABASE_URL is invalid', { problem: issue.message });
    return 1;
  }
  if (!env.DATABASE_URL) {
    log.error('migrate: DATABASE_URL is not set');
    return 1;
  }
  const database = describe(env.DATABASE_URL);
  const started = Date.now();
  log.info('migrate: applying pending migrations', { database });
  const applied = await applyMigrations(env.DATABASE_URL);
  log.info(applied.length === 0 ? 'migrate: database is up to date' : 'migrate: applied migrations', {
    database,
    applied,
    ms: Date.now() - started,
  });
  return 0;
}

/** host:port/name, never the credentials. */
function describe(url: string): string {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname}`;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log.error('migrate: failed', { err });
    process.exit(1);
  },
);
