/**
 * What `npm run announce` and `npm run digest` share around their command (lib/announce/*command.ts):
 * the .env files, DATABASE_URL or the embedded database in .data/pglite (the one `npm run dev` uses;
 * stop the dev server first), Resend when RESEND_API_KEY and EMAIL_FROM are set (the dev mailbox
 * otherwise), and Ctrl-C handled cleanly: the batch being prepared is handed back; run it again to go on.
 */
import type { BatchEmailTransport } from '../../lib/email';
import type { PrismaClient } from '../../lib/generated/prisma/client';
import { loadDotEnvFiles } from '../../lib/db/dotenv';

type CommandOptions = {
  argv: readonly string[];
  db: PrismaClient;
  transport: BatchEmailTransport | null;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  secret?: string;
  signal: AbortSignal;
};

/** Runs the command and exits with its code; `nothingDone` ends the "not ready" message ("nothing was announced"). */
export function runEmailCommandScript(nothingDone: string, load: () => Promise<(options: CommandOptions) => Promise<number>>): void {
  loadDotEnvFiles();
  main(nothingDone, load).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      process.exit(1);
    },
  );
}

async function main(nothingDone: string, load: () => Promise<(options: CommandOptions) => Promise<number>>): Promise<number> {
  // Imported after the .env files are loaded: lib/env.ts reads the environment once, at its first import.
  const { env, envIssues } = await import('../../lib/env');
  const { createPrismaClient } = await import('../../lib/db');
  const { startEmbeddedPostgres } = await import('../../lib/db/embedded');
  const { getEmailTransport } = await import('../../lib/email');
  const { newsletterReadinessProblems, requireNewsletterSecret } = await import('../../lib/newsletter/config');
  const run = await load();

  const databaseIssue = envIssues.find((issue) => issue.name === 'DATABASE_URL');
  if (databaseIssue) throw new Error(`DATABASE_URL is invalid: ${databaseIssue.message}`);
  const argv = process.argv.slice(2);
  const dryRun = argv.includes('--dry-run');
  const problems = newsletterReadinessProblems();
  if (problems.length > 0 && !dryRun && !argv.includes('--help') && !argv.includes('-h')) {
    console.error(`The newsletter is not ready, so ${nothingDone}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }

  const embedded = env.DATABASE_URL ? undefined : await startEmbeddedPostgres();
  const db = createPrismaClient(env.DATABASE_URL ?? embedded!.connectionString);
  const controller = new AbortController();
  let interrupted = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted += 1;
    if (interrupted > 1) process.exit(130);
    console.error(`\n${signal}: finishing the request in flight and handing the rest back (again to quit at once)…`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await run({
      argv,
      db,
      transport: getEmailTransport(),
      stdout: process.stdout,
      stderr: process.stderr,
      secret: dryRun ? undefined : requireNewsletterSecret(),
      signal: controller.signal,
    });
  } finally {
    await db.$disconnect();
    await embedded?.stop();
  }
}
