import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { captureLogs, clientAt, fromClient, jsonRequest, type NewsletterTestEnv, resendTransport, SITE, startNewsletterTestEnv, uniqueEmail, uniqueIp } from './support';

const dbState = await vi.hoisted(async () => (await import('./email-env')).hoistedTestState());
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('./mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), dbState),
);

import { POST as subscribeRoute } from '@/app/api/newsletter/subscribe/route';
import { RateLimitedError } from '@/lib/newsletter/errors';
import type { EmailTransport } from '@/lib/email';
import { IMMEDIATE_SEND_CONCURRENCY, scheduleImmediateSend, waitForImmediateSends } from '@/lib/newsletter/immediate';
import { SUBSCRIBE_RATE_LIMITS } from '@/lib/newsletter/rate-limit';
import { subscribe } from '@/lib/newsletter/service';

/** The signup's statements (lib/newsletter/signup-statements.ts): their budget, the races they must hold, the sends after. */

let t: NewsletterTestEnv;
beforeAll(async () => {
  captureLogs();
  t = await startNewsletterTestEnv(dbState);
}, 60_000);
afterAll(async () => {
  await waitForImmediateSends();
  await t?.close();
  vi.restoreAllMocks();
});
beforeEach(() => t.fake.reset());

/** The first word of every statement any pg client sends while `run` runs: Prisma's queries go through pg too. */
async function statementsOf(run: () => Promise<unknown>): Promise<string[]> {
  const statements: string[] = [];
  const query = pg.Client.prototype.query;
  const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : (first as { text?: string }).text ?? '';
    statements.push(text.trim().split(/\s+/)[0]!.toUpperCase());
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as never);
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return statements;
}

describe('one signup', () => {
  it('is one transaction of four statements, new or repeated, and three when refused', async () => {
    const email = uniqueEmail('budget');
    const options = { client: clientAt(uniqueIp()), sendImmediately: false };
    const fourStatements = ['BEGIN', 'WITH', 'WITH', 'COMMIT'];
    expect(await statementsOf(() => subscribe({ email }, options))).toEqual(fourStatements);
    expect(await statementsOf(() => subscribe({ email }, options))).toEqual(fourStatements);
    await subscribe({ email }, options);
    // The 4th try within the hour: refused after the limits, the counts committed, nothing else run.
    const refused = await statementsOf(() => expect(subscribe({ email }, options)).rejects.toBeInstanceOf(RateLimitedError));
    expect(refused).toEqual(['BEGIN', 'WITH', 'COMMIT']);
    expect(await t.prisma.subscriber.count({ where: { email } })).toBe(1);
    expect(await t.prisma.outboxEmail.count({ where: { toAddress: email, kind: 'CONFIRMATION' } })).toBe(1);
  });

  it('refused per client address does not count against the inbox', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < SUBSCRIBE_RATE_LIMITS.ip.limit; i += 1) {
      await subscribe({ email: uniqueEmail('filler') }, { client: clientAt(ip), sendImmediately: false });
    }
    const victim = uniqueEmail('victim');
    for (let i = 0; i < 5; i += 1) {
      await expect(subscribe({ email: victim }, { client: clientAt(ip), sendImmediately: false })).rejects.toMatchObject({ scope: 'ip' });
    }
    // The inbox's 3 an hour are all still there for the reader, from anywhere else.
    for (let i = 0; i < SUBSCRIBE_RATE_LIMITS.email.limit; i += 1) {
      await subscribe({ email: victim }, { client: clientAt(uniqueIp()), sendImmediately: false });
    }
    await expect(subscribe({ email: victim }, { client: clientAt(uniqueIp()), sendImmediately: false })).rejects.toMatchObject({ scope: 'email' });
  });
});

describe('concurrent signups for one inbox under different spellings', () => {
  it('store one row and send one confirmation: the advisory lock makes them take turns', async () => {
    const local = `race${Date.now().toString(36)}`;
    const spellings = [`${local}@gmail.com`, `${local.slice(0, 2)}.${local.slice(2)}@gmail.com`, `${local}+a@gmail.com`];
    const responses = await Promise.all(
      spellings.map((email) => subscribeRoute(jsonRequest(`${SITE}/api/newsletter/subscribe`, { email }, { headers: fromClient(uniqueIp()) }))),
    );
    await waitForImmediateSends();
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await t.prisma.subscriber.count({ where: { inbox: `${local}@gmail.com` } })).toBe(1);
    expect(t.fake.deliveries().filter((d) => spellings.some((s) => d.to.includes(s)))).toHaveLength(1);
  });

  it('for one address: one row, one confirmation, every answer 200', async () => {
    const email = uniqueEmail('same');
    const responses = await Promise.all(
      [email, email, email].map((e) => subscribeRoute(jsonRequest(`${SITE}/api/newsletter/subscribe`, { email: e }, { headers: fromClient(uniqueIp()) }))),
    );
    await waitForImmediateSends();
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await t.prisma.subscriber.count({ where: { email } })).toBe(1);
    expect(await t.prisma.outboxEmail.count({ where: { toAddress: email, status: { not: 'CANCELLED' } } })).toBe(1);
  });
});

describe('immediate sends after a burst of signups', () => {
  it('go out two at a time per process, every one of them, once', async () => {
    const emails = Array.from({ length: 12 }, () => uniqueEmail('burst'));
    for (const email of emails) await subscribe({ email }, { client: clientAt(uniqueIp()), sendImmediately: false });
    const rows = await t.prisma.outboxEmail.findMany({ where: { toAddress: { in: emails } }, select: { id: true } });
    const inner = resendTransport(t.fake);
    let sending = 0;
    let most = 0;
    const counting: EmailTransport = {
      async send(message, opts) {
        most = Math.max(most, (sending += 1));
        try {
          return await inner.send(message, opts);
        } finally {
          sending -= 1;
        }
      },
    };
    t.fake.setDelay(20);
    // One request each, as twelve signups in the same moment would schedule them.
    for (const { id } of rows) scheduleImmediateSend([id], { db: t.prisma, transport: counting });
    await waitForImmediateSends();
    t.fake.setDelay(0);
    expect(most).toBe(IMMEDIATE_SEND_CONCURRENCY);
    expect(t.fake.deliveries().flatMap((d) => d.to).sort()).toEqual([...emails].sort());
  });
});
