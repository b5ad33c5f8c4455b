import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type CapturedLogs,
  captureLogs,
  clientAt,
  formRequest,
  fromClient,
  jsonRequest,
  linkToken,
  type NewsletterTestEnv,
  SITE,
  startNewsletterTestEnv,
  uniqueEmail,
  uniqueIp,
} from './support';

const dbState = await vi.hoisted(async () => (await import('./email-env')).hoistedTestState());
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('./mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), dbState),
);

import { POST as confirmRoute } from '@/app/api/newsletter/confirm/route';
import { POST as subscribeRoute } from '@/app/api/newsletter/subscribe/route';
import { GET as unsubscribeGet, POST as unsubscribePost } from '@/app/api/newsletter/unsubscribe/route';
import { getAllArticles } from '@/lib/content/load';
import { newsletterSecret } from '@/lib/env';
import { waitForImmediateSends } from '@/lib/newsletter/immediate';
import {
  confirmSubscription,
  inspectConfirmationToken,
  inspectManageToken,
  subscribe,
  unsubscribe,
} from '@/lib/newsletter/service';
import { createManageToken, generateConfirmationToken, openSealedToken } from '@/lib/newsletter/tokens';

/** Confirmation and unsubscribe links: tokens, routes and the emails they cause (data links: data-links.test.ts). */

let t: NewsletterTestEnv;
// Everything the server logs: lib/log.ts's lines, and anything that still goes through console.
const consoleLines: string[] = [];
let logs: CapturedLogs;
const secrets = new Set<string>();

beforeAll(async () => {
  for (const level of ['info', 'warn', 'error', 'log'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void consoleLines.push(args.map(String).join(' ')));
  }
  logs = captureLogs();
  t = await startNewsletterTestEnv(dbState);
}, 60_000);
afterAll(async () => {
  await waitForImmediateSends();
  await t?.close();
  vi.restoreAllMocks();
});
beforeEach(() => t.fake.reset());

/** Signs up through the route and returns the address and the token from the delivered email. */
async function signUp(label = 'reader'): Promise<{ email: string; token: string; unsubscribeUrl: string }> {
  const email = uniqueEmail(label);
  const response = await subscribeRoute(
    jsonRequest(`${SITE}/api/newsletter/subscribe`, { email }, { headers: fromClient(uniqueIp()) }),
  );
  expect(response.status).toBe(200);
  await waitForImmediateSends();
  const delivery = t.fake.deliveries().find((d) => d.to.includes(email));
  if (!delivery) throw new Error('no confirmation email delivered');
  const token = linkToken(delivery.text!, '/newsletter/confirm');
  const unsubscribeUrl = /^<(.+)>$/.exec(delivery.headers['List-Unsubscribe']!)![1]!;
  secrets.add(email).add(token).add(linkToken(unsubscribeUrl, '/api/newsletter/unsubscribe'));
  return { email, token, unsubscribeUrl };
}

const statusOf = async (email: string) => (await t.prisma.subscriber.findUniqueOrThrow({ where: { email } })).status;
const confirmForm = (token: string) => confirmRoute(formRequest(`${SITE}/api/newsletter/confirm`, { token }));
const confirmJson = (token: string) => confirmRoute(jsonRequest(`${SITE}/api/newsletter/confirm`, { token }));

describe('confirming', () => {
  it('never confirms on inspection (the GET page); the POST confirms and queues the welcome email', async () => {
    const { email, token } = await signUp();
    for (let i = 0; i < 3; i += 1) expect(await inspectConfirmationToken(token)).toBe('valid');
    expect(await statusOf(email)).toBe('PENDING');

    const response = await confirmForm(token);
    await waitForImmediateSends();
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/newsletter/confirmed');
    const subscriber = await t.prisma.subscriber.findUniqueOrThrow({ where: { email } });
    expect(subscriber.status).toBe('CONFIRMED');
    expect(subscriber.confirmedAt).toBeInstanceOf(Date);

    const welcome = t.fake.deliveries().filter((d) => d.to.includes(email) && /Welcome/.test(d.subject));
    expect(welcome).toHaveLength(1);
    const row = await t.prisma.outboxEmail.findFirstOrThrow({ where: { subscriberId: subscriber.id, kind: 'WELCOME' } });
    expect(welcome[0]!.idempotencyKey).toBe(row.id);
    const newest = getAllArticles().slice(0, 3);
    expect(newest.length).toBeGreaterThan(0);
    for (const article of newest) expect(welcome[0]!.text).toContain(article.title);
    const manageToken = createManageToken(subscriber.id, newsletterSecret());
    expect(welcome[0]!.text).toContain(`${SITE}/api/newsletter/unsubscribe?token=${manageToken}`);
    expect(welcome[0]!.text).toContain(`${SITE}/newsletter/manage?token=${manageToken}`);
    expect(welcome[0]!.headers['List-Unsubscribe']).toBe(`<${SITE}/api/newsletter/unsubscribe?token=${manageToken}>`);
    expect(welcome[0]!.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(await inspectConfirmationToken(token)).toBe('used');
  });

  it('is single use: a second confirm answers already-confirmed and sends nothing more', async () => {
    const { email, token } = await signUp();
    const first = await confirmJson(token);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ ok: true, status: 'confirmed' });
    await waitForImmediateSends();
    const second = await confirmJson(token);
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ ok: true, status: 'already-confirmed' });
    await waitForImmediateSends();
    expect(await t.prisma.outboxEmail.count({ where: { toAddress: email, kind: 'WELCOME' } })).toBe(1);
    expect((await confirmForm(token)).headers.get('location')).toBe('/newsletter/confirmed');
  });

  it('never lets a used link confirm again: not after unsubscribing, not after resubscribing', async () => {
    const { email, token } = await signUp('reuse');
    expect(await confirmSubscription(token, { sendImmediately: false })).toEqual({ status: 'confirmed' });
    const subscriber = await t.prisma.subscriber.findUniqueOrThrow({ where: { email } });
    await unsubscribe(createManageToken(subscriber.id, newsletterSecret()));

    expect(await inspectConfirmationToken(token)).toBe('unknown');
    expect(await confirmSubscription(token, { sendImmediately: false })).toEqual({ status: 'unknown' });
    expect(await statusOf(email)).toBe('UNSUBSCRIBED');

    await subscribe({ email }, { client: clientAt(uniqueIp()), sendImmediately: false });
    expect(await statusOf(email)).toBe('PENDING');
    expect(await confirmSubscription(token, { sendImmediately: false })).toEqual({ status: 'unknown' });
    expect(await statusOf(email)).toBe('PENDING');
  });

  it('lets exactly one of several concurrent confirms win', async () => {
    const { email, token } = await signUp('race');
    const results = await Promise.all(Array.from({ length: 6 }, () => confirmSubscription(token, { sendImmediately: false })));
    expect(results.filter((r) => r.status === 'confirmed')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'already-confirmed')).toHaveLength(5);
    expect(await t.prisma.outboxEmail.count({ where: { toAddress: email, kind: 'WELCOME' } })).toBe(1);
  });

  it('expires 48 hours after the email (injected clock)', async () => {
    const email = uniqueEmail('late');
    const t0 = new Date('2031-03-01T08:00:00Z');
    await subscribe({ email }, { client: clientAt(uniqueIp()), now: () => t0, sendImmediately: false });
    const row = await t.prisma.outboxEmail.findFirstOrThrow({ where: { toAddress: email } });
    const token = openSealedToken((row.payload as { sealedToken: string }).sealedToken, newsletterSecret());
    secrets.add(email).add(token);
    const at = (hours: number) => ({ now: () => new Date(t0.getTime() + hours * 3_600_000), sendImmediately: false });

    expect(await inspectConfirmationToken(token, at(47.9))).toBe('valid');
    expect(await inspectConfirmationToken(token, at(48))).toBe('expired');
    expect(await confirmSubscription(token, at(48.01))).toEqual({ status: 'expired' });
    expect(await statusOf(email)).toBe('PENDING');
    expect(await confirmSubscription(token, at(47.9))).toEqual({ status: 'confirmed' });
  });

  it('answers an unknown or malformed token clearly, over JSON and form posts', async () => {
    const unknown = generateConfirmationToken().token;
    expect(await inspectConfirmationToken(unknown)).toBe('unknown');
    expect(await confirmSubscription(unknown)).toEqual({ status: 'unknown' });
    expect(await confirmSubscription('not a token')).toEqual({ status: 'unknown' });

    const json = await confirmJson(unknown);
    expect(json.status).toBe(404);
    expect(await json.json()).toMatchObject({ ok: false, status: 'unknown' });
    const form = await confirmForm(unknown);
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe(`/newsletter/confirm?token=${unknown}&error=unknown`);
    const empty = await confirmRoute(formRequest(`${SITE}/api/newsletter/confirm`, {}));
    expect(empty.headers.get('location')).toBe('/newsletter/confirm?error=unknown');
  });

  it('redirects an expired token back to the confirm page with error=expired', async () => {
    const { email, token } = await signUp('stale');
    await t.prisma.confirmationToken.updateMany({ where: { subscriber: { email } }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    const form = await confirmForm(token);
    expect(form.headers.get('location')).toBe(`/newsletter/confirm?token=${token}&error=expired`);
    const json = await confirmJson(token);
    expect(json.status).toBe(410);
    expect(await statusOf(email)).toBe('PENDING');
  });

  it('accepts only POST: the route has no GET', async () => {
    const route = await import('@/app/api/newsletter/confirm/route');
    expect(Object.keys(route)).toEqual(['POST']);
  });
});

describe('unsubscribing', () => {
  it('unsubscribes at once on the RFC 8058 one-click POST, answering 200 every time', async () => {
    const { email, token, unsubscribeUrl } = await signUp();
    await confirmSubscription(token, { sendImmediately: false });
    const oneClick = () =>
      unsubscribePost(
        new Request(unsubscribeUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'List-Unsubscribe=One-Click',
        }),
      );
    const first = await oneClick();
    expect(first.status).toBe(200);
    expect(await first.text()).toMatch(/unsubscribed/i);
    const subscriber = await t.prisma.subscriber.findUniqueOrThrow({ where: { email } });
    expect(subscriber.status).toBe('UNSUBSCRIBED');
    expect(subscriber.unsubscribedAt).toBeInstanceOf(Date);
    const again = await oneClick();
    expect(again.status).toBe(200);
    expect(await statusOf(email)).toBe('UNSUBSCRIBED');
  });

  it('GET only redirects to the manage page, whose first button unsubscribes; its form post redirects to /newsletter/unsubscribed', async () => {
    const { email, unsubscribeUrl } = await signUp();
    const manageToken = linkToken(unsubscribeUrl, '/api/newsletter/unsubscribe');
    const get = unsubscribeGet(new Request(unsubscribeUrl));
    expect(get.status).toBe(303);
    expect(get.headers.get('location')).toBe(`/newsletter/manage?token=${manageToken}`);
    expect(await statusOf(email)).toBe('PENDING');
    expect(await inspectManageToken(manageToken)).toEqual({
      valid: true,
      email: `${email[0]}***@example.com`,
      status: 'PENDING',
      preference: { delivery: 'every', pausedUntil: null, paused: false },
    });

    const form = await unsubscribePost(formRequest(unsubscribeUrl, {}));
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe('/newsletter/unsubscribed');
    expect(await statusOf(email)).toBe('UNSUBSCRIBED');
  });

  it('kills unused confirmation links and queued emails of the unsubscribed', async () => {
    const email = uniqueEmail('quiet');
    await subscribe({ email }, { client: clientAt(uniqueIp()), sendImmediately: false });
    const subscriber = await t.prisma.subscriber.findUniqueOrThrow({ where: { email } });
    const row = await t.prisma.outboxEmail.findFirstOrThrow({ where: { subscriberId: subscriber.id } });
    const token = openSealedToken((row.payload as { sealedToken: string }).sealedToken, newsletterSecret());
    secrets.add(email).add(token);

    expect(await unsubscribe(createManageToken(subscriber.id, newsletterSecret()))).toEqual({ status: 'unsubscribed' });
    const cancelled = await t.prisma.outboxEmail.findUniqueOrThrow({ where: { id: row.id } });
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.payload).not.toHaveProperty('sealedToken');
    expect(await confirmSubscription(token)).toEqual({ status: 'unknown' });
    expect(await statusOf(email)).toBe('UNSUBSCRIBED');
  });

  it('answers an unknown token with 404 (one-click, JSON) and leaves everyone subscribed', async () => {
    const bogus = generateConfirmationToken().token;
    const unsubscribedBefore = await t.prisma.subscriber.count({ where: { status: 'UNSUBSCRIBED' } });
    const oneClick = await unsubscribePost(
      new Request(`${SITE}/api/newsletter/unsubscribe?token=${bogus}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      }),
    );
    expect(oneClick.status).toBe(404);
    const json = await unsubscribePost(jsonRequest(`${SITE}/api/newsletter/unsubscribe`, { token: bogus }));
    expect(json.status).toBe(404);
    expect(await inspectManageToken(bogus)).toEqual({ valid: false });
    expect(await t.prisma.subscriber.count({ where: { status: 'UNSUBSCRIBED' } })).toBe(unsubscribedBefore);
  });
});

describe('logs', () => {
  it('never contain an address or a token', () => {
    const logged = [...logs.lines, ...consoleLines];
    expect(logs.lines.length).toBeGreaterThan(10);
    expect(secrets.size).toBeGreaterThan(10);
    const text = logged.join('\n');
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
