/**
 * npm run subscribers -- import FILE.csv [--format …] [--dry-run] [--strict]
 * npm run subscribers -- export [--status confirmed|pending|unsubscribed|all] > list.csv
 *
 * Takes in or gives back the list (lib/subscribers/command.ts has the options and the rules).
 * Uses DATABASE_URL, or, when it is unset, the embedded database in .data/pglite (the one
 * `npm run dev` uses; stop the dev server first). Sends no email.
 */
import { loadDotEnvFiles } from '../lib/db/dotenv';

loadDotEnvFiles();

async function main(): Promise<number> {
  const { env, envIssues } = await import('../lib/env');
  const { createPrismaClient } = await import('../lib/db');
  const { startEmbeddedPostgres } = await import('../lib/db/embedded');
  const { runSubscribersCommand } = await import('../lib/subscribers/command');

  const databaseIssue = envIssues.find((issue) => issue.name === 'DATABASE_URL');
  if (databaseIssue) throw new Error(`DATABASE_URL is invalid: ${databaseIssue.message}`);
  const embedded = env.DATABASE_URL ? undefined : await startEmbeddedPostgres();
  const db = createPrismaClient(env.DATABASE_URL ?? embedded!.connectionString);
  try {
    return await runSubscribersCommand({ argv: process.argv.slice(2), db, stdout: process.stdout, stderr: process.stderr });
  } finally {
    await db.$disconnect();
    await embedded?.stop();
  }
}

main().then(
  // Exit once stdout has drained (an export piped to a file must arrive whole).
  (code) => process.stdout.write('', () => process.exit(code)),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
