import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * No address and no token in the logs when a third party echoes them back. The service never
 * logs an address itself (test/newsletter checks the whole lifecycle and the webhooks); the risk
 * left is text we do not write: an email provider's error message or a proxy's error page quoting
 * the recipient and the link, a database error quoting the row. Those reach the log as `reason`
 * or `err`, and lib/log.ts's redaction must catch them. Signups go through the real route, the
 * real resend SDK and the fake Resend API, told to fail with such messages.
 */

const state = await vi.hoisted(async () => (await import('../newsletter/email-env')).hoistedTestState());
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('../newsletter/mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), state),
);

import { POST as subscribeRoute } from '@/app/api/newsletter/subscribe/route';
import { waitForImmediateSends } from '@/lib/newsletter/immediate';
import { openSealedToken } from '@/lib/newsletter/tokens';
import { newsletterSecret } from '@/lib/env';
import { type CapturedLogs, captureLogs, fromClient, jsonRequest, type NewsletterTestEnv, SITE, startNewsletterTestEnv, uniqueEmail, uniqueIp } from '../newsletter/support';

let t: NewsletterTestEnv;
let logs: CapturedLogs;

beforeAll(async () => {
  logs = captureLogs();
  t = await startNewsletterTestEnv(state);
}, 60_000);
beforeEach(() => t.fake.reset());
afterAll(async () => {
  await waitForImmediateSends();
  await t?.close();
  vi.restoreAllMocks();
});

const FAKE_TOKEN = 'Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg';

async function signUpWhileProviderSays(failure: Parameters<NewsletterTestEnv['fake']['failNext']>[1] | ((email: string) => Parameters<NewsletterTestEnv['fake']['failNext']>[1])) {
  const email = uniqueEmail('echo');
  t.fake.failNext(1, typeof failure === 'function' ? failure(email) : failure);
  const before = logs.lines.length;
  const response = await subscribeRoute(jsonRequest(`${SITE}/api/newsletter/subscribe`, { email }, { headers: fromClient(uniqueIp()) }));
  await waitForImmediateSends();
  expect(response.status).toBe(200);
  const row = await t.prisma.outboxEmail.findFirstOrThrow({ where: { toAddress: email } });
  const sealed = (row.payload as { sealedToken?: string }).sealedToken;
  const token = sealed ? openSealedToken(sealed, newsletterSecret()) : undefined;
  return { email, token, row, lines: logs.lines.slice(before).join('\n') };
}

describe('provider errors that quote the recipient and the link', () => {
  it('a 422 whose message holds the address and a token link: logged, redacted', async () => {
    const { email, token, row, lines } = await signUpWhileProviderSays((to) => ({
      status: 422,
      message: `Invalid \`to\` field: ${to} (link ${SITE}/newsletter/confirm?token=${FAKE_TOKEN})`,
    }));
    expect(row.status).not.toBe('SENT');
    expect(lines).toMatch(/outbox-(failed|retry)/); // the failure is in the log...
    expect(lines).not.toContain(email); // ...without the address
    expect(lines).not.toContain(email.split('@')[0]);
    expect(lines).not.toContain(FAKE_TOKEN);
    if (token) expect(lines).not.toContain(token);
  });

  it("a proxy's HTML error page quoting the request", async () => {
    const { email, token, lines } = await signUpWhileProviderSays((to) => ({
      status: 502,
      rawBody: `<html><body><h1>502 Bad Gateway</h1><pre>POST /emails to=${to}&token=${FAKE_TOKEN}</pre></body></html>`,
    }));
    expect(lines).toMatch(/outbox-(failed|retry)/);
    expect(lines).not.toContain(email);
    expect(lines).not.toContain(FAKE_TOKEN);
    if (token) expect(lines).not.toContain(token);
  });

  it('a 429 with Retry-After (the message names the account address)', async () => {
    const { email, lines } = await signUpWhileProviderSays((to) => ({ status: 429, retryAfterSeconds: 1, message: `Too many requests for ${to}` }));
    expect(lines).toMatch(/outbox-retry/);
    expect(lines).not.toContain(email);
  });
});
