import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  clientAt,
  formRequest,
  fromClient,
  jsonRequest,
  type NewsletterTestEnv,
  SITE,
  startNewsletterTestEnv,
  uniqueEmail,
  uniqueIp,
} from './support';

const dbState = await vi.hoisted(async () => {
  // The webhook route needs its signing secret to get as far as the limit.
  process.env.RESEND_WEBHOOK_SECRET = `whsec_${Buffer.from('hardening-test-webhook-key-0123456789').toString('base64')}`;
  return (await import('./email-env')).hoistedTestState();
});
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('./mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), dbState),
);

import { POST as confirmRoute } from '@/app/api/newsletter/confirm/route';
import { POST as dataRoute } from '@/app/api/newsletter/data/route';
import { POST as dataRequestRoute } from '@/app/api/newsletter/data-request/route';
import { POST as subscribeRoute } from '@/app/api/newsletter/subscribe/route';
import { POST as unsubscribeRoute } from '@/app/api/newsletter/unsubscribe/route';
import { POST as webhookRoute } from '@/app/api/webhooks/resend/route';
import { clientKey } from '@/lib/newsletter/service-context';
import { newsletterSecret } from '@/lib/env';
import { waitForImmediateSends } from '@/lib/newsletter/immediate';
import { deleteExpiredRateLimitBuckets, RATE_LIMIT_BUCKET_RETENTION_MS, TOKEN_ROUTE_RATE_LIMITS } from '@/lib/newsletter/rate-limit';
import { createManageToken, generateConfirmationToken } from '@/lib/newsletter/tokens';

/** The newsletter, played as an attacker would: cross-site posts, one inbox under many spellings, token routes hammered. */

let t: NewsletterTestEnv;
beforeAll(async () => {
  t = await startNewsletterTestEnv(dbState);
}, 60_000);
afterAll(async () => {
  await waitForImmediateSends();
  await t?.close();
});
beforeEach(() => t.fake.reset());

const EVIL = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
const deliveriesTo = (email: string) => t.fake.deliveries().filter((d) => d.to.includes(email));

describe('a form on another site', () => {
  it('cannot sign anyone up: 403, no row, no email (with Fetch Metadata, or only an Origin)', async () => {
    for (const headers of [EVIL, { origin: 'https://evil.example' }, { 'sec-fetch-site': 'same-site' }] as Record<string, string>[]) {
      const email = uniqueEmail('bombed');
      const response = await subscribeRoute(formRequest(`${SITE}/api/newsletter/subscribe`, { email }, { headers: { ...headers, ...fromClient(uniqueIp()) } }));
      await waitForImmediateSends();
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(await response.json()).toMatchObject({ ok: false, code: 'cross-site' });
      expect(await t.prisma.subscriber.count({ where: { email } })).toBe(0);
      expect(deliveriesTo(email)).toEqual([]);
    }
    // The same form on this site works.
    const email = uniqueEmail('home');
    const ours = await subscribeRoute(
      formRequest(`${SITE}/api/newsletter/subscribe`, { email }, { headers: { origin: SITE, 'sec-fetch-site': 'same-origin', ...fromClient(uniqueIp()) } }),
    );
    expect(ours.status).toBe(303);
    expect(await t.prisma.subscriber.count({ where: { email } })).toBe(1);
  });

  it('cannot confirm, ask for a data link or use one: 403 and nothing changes', async () => {
    const subscriber = await t.prisma.subscriber.create({ data: { email: uniqueEmail('target'), status: 'PENDING' } });
    const confirmation = generateConfirmationToken();
    await t.prisma.confirmationToken.create({ data: { subscriberId: subscriber.id, tokenHash: confirmation.hash, expiresAt: new Date(Date.now() + 3_600_000) } });
    const dataLink = generateConfirmationToken();
    await t.prisma.dataAccessToken.create({ data: { subscriberId: subscriber.id, purpose: 'DELETE', tokenHash: dataLink.hash, expiresAt: new Date(Date.now() + 3_600_000) } });
    const manageToken = createManageToken(subscriber.id, newsletterSecret());

    const answers = [
      await confirmRoute(formRequest(`${SITE}/api/newsletter/confirm`, { token: confirmation.token }, { headers: EVIL })),
      await dataRequestRoute(formRequest(`${SITE}/api/newsletter/data-request`, { token: manageToken, purpose: 'delete' }, { headers: EVIL })),
      await dataRoute(formRequest(`${SITE}/api/newsletter/data`, { token: dataLink.token, _action: 'delete' }, { headers: EVIL })),
    ];
    expect(answers.map((r) => r.status)).toEqual([403, 403, 403]);
    const after = await t.prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id }, include: { dataAccessTokens: true } });
    expect(after.status).toBe('PENDING');
    expect(after.dataAccessTokens.map((d) => d.usedAt)).toEqual([null]);
    expect(await t.prisma.outboxEmail.count({ where: { subscriberId: subscriber.id } })).toBe(0);
  });

  it('does not stop a mail provider’s one-click unsubscribe, which carries no Origin', async () => {
    const subscriber = await t.prisma.subscriber.create({ data: { email: uniqueEmail('oneclick'), status: 'CONFIRMED' } });
    const token = createManageToken(subscriber.id, newsletterSecret());
    const response = await unsubscribeRoute(
      new Request(`${SITE}/api/newsletter/unsubscribe?token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      }),
    );
    expect(response.status).toBe(200);
    expect((await t.prisma.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).status).toBe('UNSUBSCRIBED');
  });
});

describe('one inbox under many spellings', () => {
  it('gets at most 3 confirmation emails an hour, whatever the spellings and the client addresses', async () => {
    const local = `v${Date.now().toString(36)}`;
    const spellings = [
      `${local}@gmail.com`,
      `${local[0]}.${local.slice(1)}@gmail.com`,
      `${local}+1@gmail.com`,
      `${local[0]}.${local.slice(1)}+news@googlemail.com`,
      `${local}+5@gmail.com`,
    ];
    const statuses: number[] = [];
    for (const email of spellings) {
      const response = await subscribeRoute(jsonRequest(`${SITE}/api/newsletter/subscribe`, { email }, { headers: fromClient(uniqueIp()) }));
      statuses.push(response.status);
    }
    await waitForImmediateSends();
    const emails = t.fake.deliveries().filter((d) => spellings.some((spelling) => d.to.includes(spelling)));
    expect(emails.length).toBeLessThanOrEqual(3);
    // The first spelling gets its email; the next ones find that inbox pending (one email), then the limit (429).
    expect(emails).toHaveLength(1);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    // The address is stored exactly as typed.
    expect((await t.prisma.subscriber.findMany({ where: { inbox: `${local}@gmail.com` } })).map((s) => s.email)).toEqual([spellings[0]]);
  });

  it('is one subscription: another spelling of a confirmed inbox writes and sends nothing', async () => {
    const local = `w${Date.now().toString(36)}`;
    await t.prisma.subscriber.create({ data: { email: `${local}@gmail.com`, status: 'CONFIRMED', confirmedAt: new Date() } });
    const other = `${local}+again@gmail.com`;
    const response = await subscribeRoute(jsonRequest(`${SITE}/api/newsletter/subscribe`, { email: other }, { headers: fromClient(uniqueIp()) }));
    await waitForImmediateSends();
    expect(response.status).toBe(200);
    expect(await t.prisma.subscriber.count({ where: { email: other } })).toBe(0);
    expect(deliveriesTo(other)).toEqual([]);
  });
});

describe('routes that take a token', () => {
  it('are limited per client address: guessing tokens from one address ends in 429, another address is untouched', async () => {
    const attacker = uniqueIp();
    const { limit } = TOKEN_ROUTE_RATE_LIMITS.confirm;
    const guess = (ip: string) =>
      confirmRoute(jsonRequest(`${SITE}/api/newsletter/confirm`, { token: generateConfirmationToken().token }, { headers: fromClient(ip) }));
    for (let i = 0; i < limit; i += 1) expect((await guess(attacker)).status).toBe(404);
    const refused = await guess(attacker);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await guess(uniqueIp())).status).toBe(404);

    const { limit: dataLimit } = TOKEN_ROUTE_RATE_LIMITS.data;
    const dataGuess = () =>
      dataRoute(jsonRequest(`${SITE}/api/newsletter/data`, { token: generateConfirmationToken().token, _action: 'export' }, { headers: fromClient(attacker) }));
    for (let i = 0; i < dataLimit; i += 1) expect((await dataGuess()).status).toBe(404);
    expect((await dataGuess()).status).toBe(429);
  });

  it('count IPv6 clients per /64: rotating through addresses in one network does not help', async () => {
    const network = `2001:db8:${(Date.now() % 0xffff).toString(16)}:7`;
    const { limit } = TOKEN_ROUTE_RATE_LIMITS.confirm;
    const statuses: number[] = [];
    for (let i = 0; i <= limit; i += 1) {
      const address = `${network}:${(i + 1).toString(16)}::${(i * 7 + 3).toString(16)}`;
      const response = await confirmRoute(jsonRequest(`${SITE}/api/newsletter/confirm`, { token: generateConfirmationToken().token }, { headers: fromClient(address) }));
      statuses.push(response.status);
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((status) => status === 404)).toBe(true);
  });
});

describe('every token route, the webhook too', () => {
  it('answers 429 once its bucket for the client is full (the bucket filled directly, not by 1,200 requests)', async () => {
    const ip = uniqueIp();
    for (const route of ['confirm', 'unsubscribe', 'data', 'webhook'] as const) {
      const { key } = clientKey(route, clientAt(ip), newsletterSecret());
      await t.prisma.rateLimitBucket.create({ data: { key, windowStart: new Date(), count: TOKEN_ROUTE_RATE_LIMITS[route].limit } });
    }
    const token = generateConfirmationToken().token;
    const headers = fromClient(ip);
    const answers = await Promise.all([
      confirmRoute(jsonRequest(`${SITE}/api/newsletter/confirm`, { token }, { headers })),
      unsubscribeRoute(jsonRequest(`${SITE}/api/newsletter/unsubscribe`, { token }, { headers })),
      dataRoute(jsonRequest(`${SITE}/api/newsletter/data`, { token, _action: 'export' }, { headers })),
      dataRequestRoute(jsonRequest(`${SITE}/api/newsletter/data-request`, { token, purpose: 'export' }, { headers })),
      webhookRoute(new Request(`${SITE}/api/webhooks/resend`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' })),
    ]);
    expect(answers.map((r) => r.status)).toEqual([429, 429, 429, 429, 429]);
  });
});

describe('expired rate-limit counters', () => {
  it('are deleted in bounded batches, the live ones kept', async () => {
    const now = new Date();
    const old = new Date(now.getTime() - RATE_LIMIT_BUCKET_RETENTION_MS - 60_000);
    await t.prisma.$executeRaw`
      INSERT INTO rate_limit_buckets (key, window_start, count)
      SELECT 'test:expired:' || n, ${old}::timestamptz, 1 FROM generate_series(1, 25) AS n`;
    await t.prisma.rateLimitBucket.create({ data: { key: 'test:live', windowStart: now, count: 1 } });
    // Two batches of 10 at most: 20 go now, the other 5 on the next cleanup.
    expect(await deleteExpiredRateLimitBuckets(t.prisma, now, { batchSize: 10, maxBatches: 2 })).toBe(20);
    expect(await t.prisma.rateLimitBucket.count({ where: { key: { startsWith: 'test:expired:' } } })).toBe(5);
    expect(await deleteExpiredRateLimitBuckets(t.prisma, now, { batchSize: 10, maxBatches: 2 })).toBe(5);
    expect(await t.prisma.rateLimitBucket.count({ where: { key: 'test:live' } })).toBe(1);
  });
});
