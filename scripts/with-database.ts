/**
 * tsx scripts/with-database.ts <command> [args...]     e.g.  next dev
 *
 * Runs a command with a migrated database in DATABASE_URL: the one already in the environment
 * (or .env), else the embedded PGlite in .data/pglite, started here on a free loopback port and
 * stopped when the command exits. Signals are forwarded; the exit code is the command's.
 * Binaries from node_modules/.bin are found as with npm scripts.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import path from 'node:path';
import { loadDotEnvFiles } from '../lib/db/dotenv';

loadDotEnvFiles();

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    console.error('usage: tsx scripts/with-database.ts <command> [args...]');
    return 2;
  }

  const { applyMigrations } = await import('../lib/db/migrate');
  const { openCommandDatabase } = await import('../lib/db/command-database');

  const { url: databaseUrl, embedded } = await openCommandDatabase();
  if (embedded) {
    const how = embedded.owned ? 'started' : 'reused (another process serves it)';
    console.error(`[with-database] embedded Postgres (PGlite, .data/pglite) ${how} at ${databaseUrl}`);
  }

  // Until the child exists, a signal just stops the database and exits.
  let child: ReturnType<typeof spawn> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
    else void embedded?.stop().finally(() => process.exit(130));
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, onSignal);

  try {
    const applied = await applyMigrations(databaseUrl);
    if (applied.length > 0) console.error(`[with-database] applied migrations: ${applied.join(', ')}`);
  } catch (err) {
    await embedded?.stop();
    throw err;
  }

  const bin = path.join(process.cwd(), 'node_modules', '.bin');
  child = spawn(command, args, {
    stdio: 'inherit',
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
    },
  });

  const code = await new Promise<number>((resolve) => {
    child!.on('error', (err) => {
      console.error(`[with-database] could not start ${command}: ${err.message}`);
      resolve(127);
    });
    child!.on('exit', (exitCode, signal) => {
      // A child killed by a signal exits as a shell would report it: 128 + signal number.
      resolve(exitCode ?? 128 + (signal ? constants.signals[signal] : 1));
    });
  });

  await embedded?.stop();
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[with-database] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
