import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  captureLogs,
  clientAt,
  type CapturedLogs,
  formRequest,
  jsonRequest,
  linkToken,
  type NewsletterTestEnv,
  queuedDataLinkToken,
  SITE,
  startNewsletterTestEnv,
  uniqueEmail,
  uniqueIp,
} from './support';

const dbState = await vi.hoisted(async () => (await import('./email-env')).hoistedTestState());
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('./mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), dbState),
);

import { GET as dataGet, POST as dataPost } from '@/app/api/newsletter/data/route';
import { POST as dataRequestPost } from '@/app/api/newsletter/data-request/route';
import { newsletterSecret } from '@/lib/env';
import { RateLimitedError } from '@/lib/newsletter/errors';
import { waitForImmediateSends } from '@/lib/newsletter/immediate';
import { DATA_LINK_RATE_LIMIT } from '@/lib/newsletter/rate-limit';
import { confirmSubscription, exportSubscriberData, inspectDataLink, requestDataLink, subscribe } from '@/lib/newsletter/service';
import { createManageToken, openSealedToken } from '@/lib/newsletter/tokens';
import type { SubscriberDataExport } from '@/lib/newsletter/service';
import { SUBSCRIBER_COLUMN_NAMES } from '@/lib/newsletter/subscriber-columns';

/**
 * The link in every email (the manage token) is forwarded with the newsletter: it must not export
 * or delete anything. A reader asks for a data link on the manage page; it is emailed to them,
 * works once, and expires within an hour.
 */

let t: NewsletterTestEnv;
let logs: CapturedLogs;
const secrets = new Set<string>();

beforeAll(async () => {
  logs = captureLogs();
  t = await startNewsletterTestEnv(dbState);
}, 60_000);
afterAll(async () => {
  await waitForImmediateSends();
  await t?.close();
  vi.restoreAllMocks();
});
beforeEach(() => t.fake.reset());

/** A confirmed subscriber and the manage token every email of theirs carries. */
async function confirmedSubscriber(label: string): Promise<{ email: string; id: string; manageToken: string }> {
  const email = uniqueEmail(label);
  await subscribe({ email }, { client: clientAt(uniqueIp()), sendImmediately: false });
  const { id } = await t.prisma.subscriber.findUniqueOrThrow({ where: { email } });
  const row = await t.prisma.outboxEmail.findFirstOrThrow({ where: { subscriberId: id, kind: 'CONFIRMATION' } });
  await confirmSubscription(openSealedToken((row.payload as { sealedToken: string }).sealedToken, newsletterSecret()), { sendImmediately: false });
  const manageToken = createManageToken(id, newsletterSecret());
  secrets.add(email).add(manageToken);
  return { email, id, manageToken };
}

const dataForm = (token: string, action: string) => dataPost(formRequest(`${SITE}/api/newsletter/data`, { token, _action: action }));
const dataJson = (token: string, action: string) => dataPost(jsonRequest(`${SITE}/api/newsletter/data`, { token, _action: action }));

describe('the link in every email', () => {
  it('can no longer export or delete: the data route refuses it, and GET exports nothing', async () => {
    const { email, manageToken } = await confirmedSubscriber('forwarded');
    for (const action of ['export', 'delete']) {
      const json = await dataJson(manageToken, action);
      expect(json.status).toBe(404);
      expect(await json.json()).toMatchObject({ ok: false, status: 'unknown' });
    }
    const get = dataGet();
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await t.prisma.subscriber.count({ where: { email } })).toBe(1);
  });
});

describe('a data link', () => {
  it('is emailed on request from the manage page, exports once, then answers "used"', async () => {
    const { email, id, manageToken } = await confirmedSubscriber('export');
    const asked = await dataRequestPost(formRequest(`${SITE}/api/newsletter/data-request`, { token: manageToken, purpose: 'export' }));
    expect(asked.status).toBe(303);
    expect(asked.headers.get('location')).toBe(`/newsletter/manage?token=${manageToken}&sent=export`);
    await waitForImmediateSends();

    const [email_] = t.fake.deliveries().filter((d) => d.to.includes(email));
    expect(email_!.subject).toBe('Your data from Quorum');
    expect(email_!.headers['List-Unsubscribe']).toBe(`<${SITE}/api/newsletter/unsubscribe?token=${manageToken}>`);
    const token = linkToken(email_!.text!, '/newsletter/data');
    secrets.add(token);
    expect(token).not.toBe(manageToken);
    expect(await inspectDataLink(token)).toEqual({ status: 'valid', purpose: 'export', email: `${email[0]}***@example.com` });

    const download = await dataForm(token, 'export');
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="newsletter-data.json"');
    const data = (await download.json()) as SubscriberDataExport;
    expect(data.subscriber).toMatchObject({ email, status: 'CONFIRMED' });
    // The same columns as the operator's CSV export (lib/newsletter/subscriber-columns.ts).
    expect(Object.keys(data.summary)).toEqual(SUBSCRIBER_COLUMN_NAMES);
    expect(data.summary).toMatchObject({ email, status: 'confirmed', confirmed: data.subscriber.confirmedAt, preferences: 'every', suppression: '' });
    expect(data.emails.map((e) => e.kind).sort()).toEqual(['CONFIRMATION', 'DATA_LINK', 'WELCOME']);
    expect(data.dataLinks).toEqual([expect.objectContaining({ purpose: 'export', usedAt: expect.any(String) })]);
    expect(JSON.stringify(data)).not.toContain(token);

    const again = await dataForm(token, 'export');
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(`/newsletter/data?token=${token}&error=used`);
    expect((await dataJson(token, 'export')).status).toBe(410);
    expect(await inspectDataLink(token)).toEqual({ status: 'used' });
    // Exporting changed nothing else.
    expect(await t.prisma.subscriber.count({ where: { id } })).toBe(1);
  });

  it('expires within an hour', async () => {
    const { id, manageToken } = await confirmedSubscriber('late');
    const t0 = new Date('2031-05-01T10:00:00Z');
    await requestDataLink(manageToken, 'export', { now: () => t0, sendImmediately: false });
    const token = await queuedDataLinkToken(t.prisma, id);
    secrets.add(token);
    const at = (minutes: number) => ({ now: () => new Date(t0.getTime() + minutes * 60_000) });
    expect((await inspectDataLink(token, at(59))).status).toBe('valid');
    expect((await inspectDataLink(token, at(60))).status).toBe('expired');
    expect(await exportSubscriberData(token, at(61))).toEqual({ ok: false, refused: 'expired' });
  });

  it('for deletion deletes everything and works once; an export link cannot delete', async () => {
    const { email, id, manageToken } = await confirmedSubscriber('erase');
    await requestDataLink(manageToken, 'export', { sendImmediately: false });
    const exportToken = await queuedDataLinkToken(t.prisma, id);
    await requestDataLink(manageToken, 'delete', { sendImmediately: false });
    const deleteToken = await queuedDataLinkToken(t.prisma, id);
    secrets.add(exportToken).add(deleteToken);

    // Each link does the one thing it was asked for.
    expect((await dataJson(exportToken, 'delete')).status).toBe(404);
    expect((await dataJson(deleteToken, 'export')).status).toBe(404);
    expect(await t.prisma.subscriber.count({ where: { id } })).toBe(1);

    const deleted = await dataForm(deleteToken, 'delete');
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe('/newsletter/deleted');
    expect(await t.prisma.subscriber.count({ where: { email } })).toBe(0);
    expect(await t.prisma.outboxEmail.count({ where: { toAddress: email } })).toBe(0);
    expect(await t.prisma.dataAccessToken.count({ where: { subscriberId: id } })).toBe(0);
    expect((await dataJson(deleteToken, 'delete')).status).toBe(404);
  });

  it('is emailed at most three times an hour per subscriber, so a forwarded link cannot flood the inbox', async () => {
    const { id, manageToken } = await confirmedSubscriber('flood');
    for (let i = 0; i < DATA_LINK_RATE_LIMIT.limit; i += 1) {
      expect(await requestDataLink(manageToken, 'export', { client: clientAt(uniqueIp()), sendImmediately: false })).toEqual({ status: 'sent' });
    }
    await expect(requestDataLink(manageToken, 'export', { client: clientAt(uniqueIp()), sendImmediately: false })).rejects.toBeInstanceOf(RateLimitedError);
    const json = await dataRequestPost(jsonRequest(`${SITE}/api/newsletter/data-request`, { token: manageToken, purpose: 'delete' }));
    expect(json.status).toBe(429);
    expect(await t.prisma.outboxEmail.count({ where: { subscriberId: id, kind: 'DATA_LINK' } })).toBe(DATA_LINK_RATE_LIMIT.limit);
  });

  it('is refused for an unknown or tampered manage token, and an unknown purpose', async () => {
    const { manageToken } = await confirmedSubscriber('bogus');
    const tampered = `${manageToken.slice(0, 10)}${manageToken[10] === 'a' ? 'b' : 'a'}${manageToken.slice(11)}`;
    const form = await dataRequestPost(formRequest(`${SITE}/api/newsletter/data-request`, { token: tampered, purpose: 'export' }));
    expect(form.headers.get('location')).toBe(`/newsletter/manage?token=${tampered}&error=unknown`);
    expect((await dataRequestPost(jsonRequest(`${SITE}/api/newsletter/data-request`, { token: tampered, purpose: 'export' }))).status).toBe(404);
    expect((await dataRequestPost(jsonRequest(`${SITE}/api/newsletter/data-request`, { token: manageToken, purpose: 'everything' }))).status).toBe(400);
    expect(await t.prisma.dataAccessToken.count()).toBe(await t.prisma.dataAccessToken.count({ where: { subscriber: { email: { not: { contains: 'bogus' } } } } }));
  });
});

describe('logs', () => {
  it('never contain an address or a token', () => {
    const text = logs.text();
    expect(secrets.size).toBeGreaterThan(8);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
