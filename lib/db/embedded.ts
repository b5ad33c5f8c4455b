import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * Zero-configuration Postgres for development: PGlite (PostgreSQL compiled to WebAssembly, data
 * in a folder) served on 127.0.0.1 over the ordinary wire protocol, so the app, Prisma's driver
 * adapter and the schema engine connect to it exactly as to a real server. One code path for both.
 *
 * Not for production: PGlite runs one query at a time in this process.
 */

export type EmbeddedPostgres = {
  /** postgresql://postgres:postgres@127.0.0.1:PORT/postgres?sslmode=disable&connection_limit=1 */
  connectionString: string;
  /** False when another process on this machine already serves `dataDir` and we reuse it. */
  owned: boolean;
  stop(): Promise<void>;
};

export type EmbeddedPostgresOptions = {
  /** Data folder, created when missing. 'memory://' keeps everything in memory. */
  dataDir?: string;
  /** 0 (the default) lets the OS pick a free port. */
  port?: number;
  /**
   * Concurrent client connections. Extra connections are refused, so leave room for the app's
   * pool (pg's default max is 10) plus the migrator's and a script or two.
   */
  maxConnections?: number;
};

type LockFile = { pid: number; connectionString: string };

const MEMORY = 'memory://';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(lockPath: string): Promise<LockFile | undefined> {
  try {
    const lock = JSON.parse(await readFile(lockPath, 'utf8')) as Partial<LockFile>;
    if (typeof lock.pid === 'number' && typeof lock.connectionString === 'string') {
      return { pid: lock.pid, connectionString: lock.connectionString };
    }
  } catch {
    // missing or unreadable: treat as no lock
  }
  return undefined;
}

/**
 * Takes the lock (returns undefined), or returns the address of the live process that holds it.
 * The lock file is created exclusively, so of two processes starting at once only one opens the
 * folder; the other waits for its address.
 */
async function acquireLock(lockPath: string): Promise<string | undefined> {
  await mkdir(path.dirname(lockPath), { recursive: true });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await writeFile(lockPath, JSON.stringify({ pid: process.pid, connectionString: '' } satisfies LockFile), {
        flag: 'wx',
      });
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const lock = await readLock(lockPath);
    if (lock && isAlive(lock.pid)) {
      if (lock.connectionString) return lock.connectionString;
    } else if (lock) {
      // Left behind by a process that died: take it over.
      await rm(lockPath, { force: true });
      continue;
    }
    // Being written, or its owner is still starting: wait for the address.
    if (Date.now() > deadline) throw new Error(`Timed out waiting for the embedded database lock ${lockPath}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const { dataDir = '.data/pglite', port = 0, maxConnections = 32 } = options;
  const inMemory = dataDir === MEMORY;
  const fullDataDir = inMemory ? MEMORY : path.resolve(dataDir);

  // Two PGlite instances on one data folder corrupt it. The folder's owner holds a lock file
  // beside it naming its process and address; a second process (say `npm run db:migrate` while
  // `npm run dev` runs) connects to the running server instead of opening the folder again.
  const lockPath = inMemory ? undefined : `${fullDataDir}.lock`;
  if (lockPath) {
    const running = await acquireLock(lockPath);
    if (running) return { connectionString: running, owned: false, stop: async () => {} };
    await mkdir(fullDataDir, { recursive: true });
  }

  let db: PGlite | undefined;
  let server: PGLiteSocketServer;
  let connectionString: string;
  try {
    db = await PGlite.create(inMemory ? undefined : fullDataDir);
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections });
    await server.start();
    // connection_limit=1 (read by lib/db.ts): pglite-socket queues whole messages from all
    // connections onto one PGlite session, so two pooled connections interleave their
    // extended-protocol Parse/Bind/Execute and can even receive each other's rows
    // ("unnamed prepared statement does not exist"). One connection per client avoids that.
    connectionString = `postgresql://postgres:postgres@${server.getServerConn()}/postgres?sslmode=disable&connection_limit=1`;
    if (lockPath) await writeFile(lockPath, JSON.stringify({ pid: process.pid, connectionString } satisfies LockFile));
  } catch (err) {
    await db?.close().catch(() => {});
    if (lockPath) await rm(lockPath, { force: true });
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    connectionString,
    owned: true,
    stop() {
      stopping ??= (async () => {
        await server.stop();
        await db?.close();
        if (lockPath) await rm(lockPath, { force: true });
      })();
      return stopping;
    },
  };
}
