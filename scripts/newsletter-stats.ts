/**
 * npm run newsletter:stats [-- --json] [-- --days <n>] [-- --show-addresses]
 *
 * How the newsletter is doing, read from the database (lib/stats/command.ts has the options).
 * Uses DATABASE_URL, or, when it is unset, the embedded database in .data/pglite (the one
 * `npm run dev` uses; stop the dev server first). Reads only.
 */
import { loadDotEnvFiles } from '../lib/db/dotenv';

loadDotEnvFiles();

async function main(): Promise<number> {
  const { openCommandDatabase } = await import('../lib/db/command-database');
  const { createPrismaClient, poolOf } = await import('../lib/db');
  const { runStatsCommand } = await import('../lib/stats/command');
  const { url, embedded } = await openCommandDatabase();
  const db = createPrismaClient(url);
  try {
    return await runStatsCommand({ argv: process.argv.slice(2), pool: poolOf(db), stdout: process.stdout, stderr: process.stderr });
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
