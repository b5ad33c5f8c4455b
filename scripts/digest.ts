/**
 * npm run digest [-- --dry-run] [-- --enqueue-only] [-- --wait <seconds>]
 *
 * Queues this week's digests and sends them (lib/announce/digest-command.ts has the
 * options and the rules). Uses DATABASE_URL, or, when it is unset, the embedded database in
 * .data/pglite (the one `npm run dev` uses; stop the dev server first). Email goes through Resend
 * when RESEND_API_KEY and EMAIL_FROM are set, to the dev mailbox (.data/mailbox) otherwise.
 * Ctrl-C stops cleanly: the batch being prepared is handed back; run the command again to go on.
 */
import { loadDotEnvFiles } from '../lib/db/dotenv';

loadDotEnvFiles();

async function main(): Promise<number> {
  const { env, envIssues } = await import('../lib/env');
  const { createPrismaClient } = await import('../lib/db');
  const { startEmbeddedPostgres } = await import('../lib/db/embedded');
  const { getEmailTransport } = await import('../lib/email');
  const { newsletterReadinessProblems, requireNewsletterSecret } = await import('../lib/newsletter/config');
  const { runDigestCommand } = await import('../lib/announce/digest-command');

  const databaseIssue = envIssues.find((issue) => issue.name === 'DATABASE_URL');
  if (databaseIssue) throw new Error(`DATABASE_URL is invalid: ${databaseIssue.message}`);
  const argv = process.argv.slice(2);
  const dryRun = argv.includes('--dry-run');
  const problems = newsletterReadinessProblems();
  if (problems.length > 0 && !dryRun && !argv.includes('--help') && !argv.includes('-h')) {
    console.error(`The newsletter is not ready, so no digest was queued:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
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
    return await runDigestCommand({
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

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
