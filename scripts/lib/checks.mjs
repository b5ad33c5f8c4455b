// Small helpers shared by the post-build checks (check-standalone.mjs, check-db-outage.ts,
// fleet-proof.ts): plain JavaScript so the .mjs check runs under bare `node`; checks.d.mts types it.
import net from 'node:net';
import pg from 'pg';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`'s value, or null after `ms` (the timer does not keep the process alive after). */
export function within(promise, ms) {
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Polls `probe` every `everyMs` until it returns a truthy value; throws after `timeoutMs`. A probe
 * that hangs is cut off at the deadline too, so every wait of a check is bounded.
 */
export async function until(what, timeoutMs, probe, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await within(Promise.resolve().then(probe), Math.max(1, deadline - Date.now()));
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  const reason = last instanceof Error ? ` (last error: ${last.message})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
}

/** A loopback port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs `run` with a connection to the admin database of the test Postgres (to create or drop databases). */
export async function withAdmin(adminUrl, run) {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`cannot reach the test Postgres at ${adminUrl} (${err.message}); set TEST_DATABASE_ADMIN_URL`);
  }
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => {});
  }
}
