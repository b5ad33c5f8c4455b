/**
 * The e2e web server (playwright.config.ts starts it: `tsx e2e/serve.ts`, after `next build`).
 *
 * A real newsletter server, not just pages:
 *   1. a fresh database on the test Postgres (TEST_DATABASE_ADMIN_URL, default
 *      postgresql://postgres@127.0.0.1:5432/postgres), migrated, through test/db/harness.ts;
 *   2. the fake Resend API (testing/fake-resend) in this process, on loopback (E2E_FAKE_RESEND_PORT,
 *      default a free port), recording every email the app sends;
 *   3. `next start` on 127.0.0.1:E2E_PORT (default 3100) with DATABASE_URL, RESEND_BASE_URL and
 *      the rest of the newsletter's settings, SITE_URL pointing at itself so links in emails
 *      come back here.
 * Once /api/health/ready answers 200 it prints one line that playwright.config.ts waits for; its
 * named groups become E2E_FAKE_RESEND_URL and E2E_DATABASE_URL in the test workers' environment
 * (see e2e/support/newsletter.ts).
 *
 * On SIGTERM/SIGINT (Playwright's webServer.gracefulShutdown) or when next exits: next is stopped
 * (SIGKILL after 10 s), the fake server closed and the database dropped. If even this process is
 * killed outright, the database stays behind until a later run of the harness drops every
 * pubtest_* database older than 6 hours.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startFakeResend, type FakeResend } from '../testing/fake-resend/server';
import { waitForHttp } from '../testing/http';
import { isListening } from '../testing/ports';
import { startProcess, type Child } from '../testing/processes';
import { createTestDatabase, type TestDatabase } from '../test/db/harness';

const PORT = Number(process.env.E2E_PORT ?? 3100);
const HOST = '127.0.0.1';
const ORIGIN = `http://${HOST}:${PORT}`;
const FAKE_RESEND_PORT = Number(process.env.E2E_FAKE_RESEND_PORT ?? 0);
const RESEND_API_KEY = 're_test_e2e_0123456789';
const READY_TIMEOUT_MS = 90_000;
const NEXT_STOP_TIMEOUT_MS = 10_000;

const say = (message: string) => console.error(`[e2e serve] ${message}`);

let database: TestDatabase | undefined;
let fake: FakeResend | undefined;
let next: Child | undefined;
let stopping: Promise<void> | undefined;

/** Stops next, then the fake server, then drops the database. Runs once; every step is attempted. */
function cleanup(): Promise<void> {
  stopping ??= (async () => {
    if (next?.running) {
      const exit = await next.stop(NEXT_STOP_TIMEOUT_MS);
      if (exit.signal === 'SIGKILL') say(`next did not stop within ${NEXT_STOP_TIMEOUT_MS / 1000} s: SIGKILL`);
    }
    await fake?.close().catch((err: unknown) => say(`closing the fake Resend server failed: ${String(err)}`));
    if (database) {
      await database.drop().then(
        () => say(`dropped database ${database?.name}`),
        (err: unknown) =>
          say(`could not drop database ${database?.name} (${String(err)}); the test harness drops pubtest_* databases older than 6 hours`),
      );
    }
  })();
  return stopping;
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(signal, () => {
    // Playwright signals the whole process group, and tsx relays the same signal to this process:
    // a second one joins the cleanup already running.
    if (!stopping) say(`${signal}: stopping`);
    void cleanup().finally(() => process.exit(0));
  });
}

async function main(): Promise<void> {
  if (await isListening(PORT, HOST)) throw new Error(`${ORIGIN} is already in use; stop whatever listens there (or set E2E_PORT)`);

  database = await createTestDatabase();
  say(`database ${database.name} created and migrated (${database.appliedMigrations.length} migrations)`);
  if (stopping) return;

  fake = await startFakeResend({ host: HOST, port: FAKE_RESEND_PORT, apiKey: RESEND_API_KEY });
  say(`fake Resend API at ${fake.url}`);
  if (stopping) return;

  const bin = path.join(process.cwd(), 'node_modules', '.bin', 'next');
  next = startProcess('next start', bin, ['start', '-p', String(PORT), '-H', HOST], {
    inherit: true,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      SITE_URL: ORIGIN,
      NEWSLETTER_ENABLED: 'true',
      // Random per run: production refuses placeholder-looking secrets (lib/secret-strength.ts).
      NEWSLETTER_SECRET: randomBytes(32).toString('base64url'),
      CRON_SECRET: randomBytes(24).toString('base64url'),
      // Playwright plays the proxy: each test sends its own X-Forwarded-For (e2e/support/newsletter.ts).
      TRUSTED_PROXY_HOPS: '1',
      RESEND_API_KEY,
      RESEND_BASE_URL: fake.url,
      EMAIL_FROM: 'Quorum <newsletter@example.com>',
      // This fake has no request limit: the shared pacing (every request takes a slot) need not hold
      // the run to Resend's 2 per second; test/outbox proves the pacing against a limited fake.
      OUTBOX_PROVIDER_REQUESTS_PER_SECOND: '1000',
      // Nothing to drain for in a test run: stop at once.
      SHUTDOWN_DRAIN_SECONDS: '0',
    },
  });
  void next.exited.then(({ code, signal }) => {
    if (stopping) return;
    say(`next start exited (${signal ?? `code ${code}`}): cleaning up`);
    void cleanup().finally(() => process.exit(1));
  });

  // Readiness: database reachable, migrations finished.
  await waitForHttp(`${ORIGIN}/api/health/ready`, { process: next, timeoutMs: READY_TIMEOUT_MS, everyMs: 250 });
  // playwright.config.ts waits for this line; its named groups become the workers' environment.
  console.log(`[e2e serve] ready E2E_FAKE_RESEND_URL=${fake.url} E2E_DATABASE_URL=${database.url}`);
}

main().catch((err: unknown) => {
  say(`failed: ${err instanceof Error ? err.message : String(err)}`);
  void cleanup().finally(() => process.exit(1));
});
