import { defineConfig, devices } from '@playwright/test';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './testing/chromium';

const PORT = Number(process.env.E2E_PORT ?? 3100);

/**
 * End-to-end tests run in Debian's Chromium (no browser download is possible offline) against
 * a production build: `npm run test:e2e` builds first (SITE_URL set to this origin), then this
 * starts e2e/serve.ts: a fresh migrated database, the fake Resend API, and `next start` wired to
 * both, so the newsletter specs can read the emails the app sends.
 */
export default defineConfig({
  testDir: './e2e',
  // Browser specs only: e2e/postbuild/*.test.ts are the Vitest post-build tests (vitest.postbuild.config.ts).
  testMatch: '**/*.spec.ts',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: process.env.CI ? 2 : undefined,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'retain-on-failure',
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
  webServer: {
    command: 'node_modules/.bin/tsx --import ./scripts/lib/server-only.mjs e2e/serve.ts',
    env: { E2E_PORT: String(PORT) },
    // serve.ts prints this once /api/health/ready answers 200 (no `url` here: it would race this
    // line); the named groups become process.env in the test workers (e2e/support/newsletter.ts).
    wait: { stdout: /\[e2e serve\] ready E2E_FAKE_RESEND_URL=(?<E2E_FAKE_RESEND_URL>\S+) E2E_DATABASE_URL=(?<E2E_DATABASE_URL>\S+)/ },
    // SIGTERM, not Playwright's default SIGKILL, so serve.ts can stop next and drop its database.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
  },
});
