import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { formRequest, jsonRequest, SITE, startNewsletterTestEnv, uniqueEmail, type NewsletterTestEnv } from './support';

const dbState = await vi.hoisted(async () => (await import('./email-env')).hoistedTestState());
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('./mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), dbState),
);

/**
 * A newsletter that is switched off or missing configuration answers 503 with a safe message and
 * logs which variable is missing; unsubscribing keeps working whenever the secret is there.
 * lib/env.ts reads the environment once per import, so each case loads the modules afresh.
 */

let t: NewsletterTestEnv;
let warnings: string[] = [];

beforeAll(async () => {
  t = await startNewsletterTestEnv(dbState);
}, 60_000);
afterAll(() => t?.close());
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

async function load(env: Record<string, string | undefined>) {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  warnings = [];
  // lib/log.ts writes whole lines to stdout/stderr; the warnings are the stderr ones.
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    warnings.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  return {
    subscribe: (await import('@/app/api/newsletter/subscribe/route')).POST,
    unsubscribe: (await import('@/app/api/newsletter/unsubscribe/route')).POST,
    tokens: await import('@/lib/newsletter/tokens'),
  };
}

const subscribeJson = (email: string) => jsonRequest(`${SITE}/api/newsletter/subscribe`, { email });

describe('not configured', () => {
  it('NEWSLETTER_ENABLED=false: signups answer 503 (JSON and form), nothing is written, unsubscribing still works', async () => {
    const { subscribe, unsubscribe, tokens } = await load({ NEWSLETTER_ENABLED: 'false' });
    const email = uniqueEmail('off');
    const response = await subscribe(subscribeJson(email));
    expect(response.status).toBe(503);
    const body = (await response.json()) as { ok: boolean; error: string; code: string };
    expect(body).toMatchObject({ ok: false, code: 'not-configured' });
    expect(body.error).not.toMatch(/NEWSLETTER_ENABLED/);
    expect(warnings.join('\n')).toMatch(/not-configured.*NEWSLETTER_ENABLED is false/);
    const form = await subscribe(formRequest(`${SITE}/api/newsletter/subscribe`, { email }));
    expect(form.headers.get('location')).toBe('/newsletter/error?reason=unavailable');
    expect(await t.prisma.subscriber.count({ where: { email } })).toBe(0);

    const subscriber = await t.prisma.subscriber.create({ data: { email: uniqueEmail('still'), status: 'CONFIRMED' } });
    const { newsletterSecret } = await import('@/lib/env');
    const token = tokens.createManageToken(subscriber.id, newsletterSecret());
    const oneClick = await unsubscribe(
      new Request(`${SITE}/api/newsletter/unsubscribe?token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      }),
    );
    expect(oneClick.status).toBe(200);
    expect((await t.prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).status).toBe('UNSUBSCRIBED');
  });

  it('production without NEWSLETTER_SECRET: 503 for signups and links, and the log names the variable', async () => {
    const { subscribe, unsubscribe } = await load({
      NODE_ENV: 'production',
      DATABASE_URL: t.database.url,
      NEWSLETTER_SECRET: undefined,
      RESEND_API_KEY: 're_set',
      EMAIL_FROM: 'Quorum <newsletter@example.com>',
    });
    const response = await subscribe(subscribeJson(uniqueEmail('nosecret')));
    expect(response.status).toBe(503);
    expect(warnings.join('\n')).toMatch(/NEWSLETTER_SECRET is not set/);
    const link = await unsubscribe(
      new Request(`${SITE}/api/newsletter/unsubscribe?token=${'A'.repeat(43)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      }),
    );
    expect(link.status).toBe(503);
  });

  it("production with the example file's placeholder secrets: 503 for signups, links and the cron route, each variable named in the log", async () => {
    const { subscribe, unsubscribe } = await load({
      NODE_ENV: 'production',
      DATABASE_URL: t.database.url,
      NEWSLETTER_SECRET: 'REPLACE-with-at-least-32-random-characters',
      RESEND_API_KEY: 're_REPLACE_ME',
      CRON_SECRET: 'REPLACE-with-16-plus-chars',
      EMAIL_FROM: 'Quorum <newsletter@example.com>',
    });
    const email = uniqueEmail('placeholder');
    expect((await subscribe(subscribeJson(email))).status).toBe(503);
    const oneClick = await unsubscribe(
      new Request(`${SITE}/api/newsletter/unsubscribe?token=${'A'.repeat(43)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      }),
    );
    expect(oneClick.status).toBe(503);
    const outbox = (await import('@/app/api/newsletter/outbox/route')).POST;
    const cron = await outbox(new Request(`${SITE}/api/newsletter/outbox`, { method: 'POST', headers: { authorization: 'Bearer REPLACE-with-16-plus-chars' } }));
    expect(cron.status).toBe(503);
    const log = warnings.join('\n');
    expect(log).toMatch(/NEWSLETTER_SECRET is invalid: is a placeholder value/);
    expect(log).toMatch(/RESEND_API_KEY is invalid: is a placeholder value/);
    expect(log).toMatch(/CRON_SECRET is invalid: is a placeholder value/);
    expect(await t.prisma.subscriber.count({ where: { email } })).toBe(0);
  });

  it('production without Resend settings: 503, and the log names RESEND_API_KEY and EMAIL_FROM', async () => {
    const { subscribe } = await load({
      NODE_ENV: 'production',
      DATABASE_URL: t.database.url,
      NEWSLETTER_SECRET: 'Jq3vN8xR1mT6kZ0bW5cY9dH2fL7pS4aE',
      RESEND_API_KEY: '',
      EMAIL_FROM: '',
    });
    const email = uniqueEmail('nomail');
    const response = await subscribe(subscribeJson(email));
    expect(response.status).toBe(503);
    const log = warnings.join('\n');
    expect(log).toMatch(/RESEND_API_KEY is not set/);
    expect(log).toMatch(/EMAIL_FROM is not set/);
    expect(await t.prisma.subscriber.count({ where: { email } })).toBe(0);
  });
});
