import { startFakeResend, type FakeResend } from '../../testing/fake-resend/server';

/**
 * What an integration test file does before the app loads, as production does before it starts:
 * lib/env.ts reads the environment once, at its first import. Starts the fake Resend API and
 * points the real SDK at it through the same variables production uses. Imports nothing of the
 * app, so it can run inside vi.hoisted, before the file's imports:
 *
 *   const dbState = await vi.hoisted(async () => (await import('./email-env')).hoistedTestState());
 */

export const API_KEY = 're_test_newsletter';
export const EMAIL_FROM = 'Quorum <newsletter@example.com>';

/** The database client each test file's mock of '@/lib/db' answers with, and the fake Resend API. */
export type HoistedTestState = { client: unknown; fake: FakeResend };

export async function hoistedTestState(): Promise<HoistedTestState> {
  const fake = await startFakeResend({ apiKey: API_KEY });
  process.env.RESEND_API_KEY = API_KEY;
  process.env.RESEND_BASE_URL = fake.url;
  process.env.EMAIL_FROM = EMAIL_FROM;
  // This fake has no request limit, so the shared pacing need not hold these files' sends to
  // Resend's 2 per second; test/outbox proves the pacing against a limited fake.
  process.env.OUTBOX_PROVIDER_REQUESTS_PER_SECOND ??= '1000';
  return { client: undefined, fake };
}
