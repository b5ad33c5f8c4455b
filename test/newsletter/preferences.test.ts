import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureLogs, clientAt, formRequest, jsonRequest, SITE, startNewsletterTestEnv, uniqueEmail, uniqueIp, type NewsletterTestEnv } from './support';

const dbState = await vi.hoisted(async () => (await import('./email-env')).hoistedTestState());
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('./mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), dbState),
);

import { POST as preferencesPost } from '@/app/api/newsletter/preferences/route';
import { POST as unsubscribePost } from '@/app/api/newsletter/unsubscribe/route';
import { newsletterSecret } from '@/lib/env';
import { waitForImmediateSends } from '@/lib/newsletter/immediate';
import { exportSubscriberData, inspectManageToken, setPreference } from '@/lib/newsletter/service';
import { createManageToken } from '@/lib/newsletter/tokens';
import { isoDay, MAX_PAUSE_DAYS, parsePreference } from '@/lib/reader-preference';
import { generateConfirmationToken } from '@/lib/newsletter/tokens';

/** The manage page's choice: every article, weekly, or a pause until a valid date; bad input changes nothing. */

let t: NewsletterTestEnv;
const URL = `${SITE}/api/newsletter/preferences`;
const DAY = 86_400_000;
const NOW = new Date();
const inDays = (n: number) => isoDay(new Date(NOW.getTime() + n * DAY));
const SAME_SITE = { origin: SITE, 'sec-fetch-site': 'same-origin' };

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

async function subscriber(status: 'CONFIRMED' | 'UNSUBSCRIBED' = 'CONFIRMED'): Promise<{ id: string; token: string }> {
  const row = await t.prisma.subscriber.create({
    data: { email: uniqueEmail('prefs'), status, confirmedAt: new Date(), unsubscribedAt: status === 'UNSUBSCRIBED' ? new Date() : null },
  });
  return { id: row.id, token: createManageToken(row.id, newsletterSecret()) };
}

const stored = (id: string) => t.prisma.subscriber.findUniqueOrThrow({ where: { id }, select: { delivery: true, pausedUntil: true, deliveryChangedAt: true } });
const postJson = (fields: Record<string, string>, headers: Record<string, string> = SAME_SITE) =>
  preferencesPost(jsonRequest(URL, fields, { headers: { ...headers, 'x-forwarded-for': uniqueIp() } }));

describe('choosing with JavaScript (JSON)', () => {
  it('weekly, then a pause (keeps weekly underneath), then every article; each shown on the manage page', async () => {
    const { id, token } = await subscriber();
    expect((await inspectManageToken(token)) as object).toMatchObject({ valid: true, preference: { delivery: 'every', pausedUntil: null, paused: false } });

    const weekly = await postJson({ token, delivery: 'weekly' });
    expect(weekly.status).toBe(200);
    expect(await weekly.json()).toMatchObject({ ok: true, preference: { delivery: 'weekly', pausedUntil: null }, summary: 'You get one digest a week.', message: 'Saved. You get one digest a week.' });
    expect(await stored(id)).toMatchObject({ delivery: 'WEEKLY', pausedUntil: null });

    const until = inDays(10);
    const paused = await postJson({ token, delivery: 'pause', until });
    expect(await paused.json()).toMatchObject({ ok: true, preference: { delivery: 'weekly', pausedUntil: until, paused: true } });
    expect(await stored(id)).toMatchObject({ delivery: 'WEEKLY', pausedUntil: new Date(`${until}T00:00:00Z`) });
    expect((await inspectManageToken(token)) as object).toMatchObject({ preference: { delivery: 'weekly', pausedUntil: until, paused: true } });

    const every = await postJson({ token, delivery: 'every' });
    expect(await every.json()).toMatchObject({ ok: true, preference: { delivery: 'every', pausedUntil: null } });
    expect(await stored(id)).toMatchObject({ delivery: 'EVERY', pausedUntil: null });
  });

  it.each([
    [{ delivery: 'pause' }, 'pause-date-missing'],
    [{ delivery: 'pause', until: isoDay(new Date()) }, 'pause-date-past'],
    [{ delivery: 'pause', until: '2020-01-01' }, 'pause-date-past'],
    [{ delivery: 'pause', until: inDays(MAX_PAUSE_DAYS + 2) }, 'pause-date-too-far'],
    [{ delivery: 'pause', until: '2027-02-30' }, 'pause-date-invalid'],
    [{ delivery: 'pause', until: 'next tuesday' }, 'pause-date-invalid'],
    [{ delivery: 'daily' }, 'invalid-choice'],
    [{}, 'invalid-choice'],
  ] as [Record<string, string>, string][])('refuses %j with 422 %s and changes nothing', async (fields, code) => {
    const { id, token } = await subscriber();
    await setPreference(token, { delivery: 'weekly' });
    const before = await stored(id);
    const response = await postJson({ token, ...fields });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { ok: boolean; code: string; error: string };
    expect(body).toMatchObject({ ok: false, code });
    expect(body.error.length).toBeGreaterThan(10);
    expect(await stored(id)).toEqual(before);
  });

  it('answers 404 for an unknown token and 409 for an unsubscribed address, changing nothing', async () => {
    const unknown = await postJson({ token: generateConfirmationToken().token, delivery: 'weekly' });
    expect(unknown.status).toBe(404);
    const { id, token } = await subscriber('UNSUBSCRIBED');
    const gone = await postJson({ token, delivery: 'weekly' });
    expect(gone.status).toBe(409);
    expect(await stored(id)).toMatchObject({ delivery: 'EVERY' });
  });

  it('refuses a post from another site (403) and changes nothing', async () => {
    const { id, token } = await subscriber();
    const response = await postJson({ token, delivery: 'weekly' }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(response.status).toBe(403);
    expect(await stored(id)).toMatchObject({ delivery: 'EVERY' });
  });
});

describe('choosing without JavaScript (a form post)', () => {
  it('303s back to the manage page with saved=1, or with the error code for a bad date', async () => {
    const { id, token } = await subscriber();
    const saved = await preferencesPost(formRequest(URL, { token, delivery: 'weekly' }, { headers: SAME_SITE }));
    expect(saved.status).toBe(303);
    const location = new globalThis.URL(saved.headers.get('location')!, SITE);
    expect(location.pathname).toBe('/newsletter/manage');
    expect(Object.fromEntries(location.searchParams)).toEqual({ token, saved: '1' });
    expect(await stored(id)).toMatchObject({ delivery: 'WEEKLY' });

    const refused = await preferencesPost(formRequest(URL, { token, delivery: 'pause', until: '2020-01-01' }, { headers: SAME_SITE }));
    expect(refused.status).toBe(303);
    expect(new globalThis.URL(refused.headers.get('location')!, SITE).searchParams.get('error')).toBe('pause-date-past');
    expect(await stored(id)).toMatchObject({ delivery: 'WEEKLY', pausedUntil: null });
  });
});

describe('what else holds', () => {
  it('the data export shows the preference', async () => {
    const { id, token } = await subscriber();
    const until = inDays(30);
    await setPreference(token, { delivery: 'pause', until });
    const { token: dataToken, hash } = generateConfirmationToken();
    await t.prisma.dataAccessToken.create({ data: { subscriberId: id, purpose: 'EXPORT', tokenHash: hash, expiresAt: new Date(Date.now() + 3_600_000) } });
    const exported = await exportSubscriberData(dataToken, { client: clientAt(uniqueIp()) });
    expect(exported.ok).toBe(true);
    if (!exported.ok) return;
    expect(exported.data.preferences).toMatchObject({ delivery: 'every', pausedUntil: until });
    expect(exported.data.preferences.changedAt).not.toBeNull();
  });

  it('one-click unsubscribe stays one click for a weekly or paused subscriber', async () => {
    const { id, token } = await subscriber();
    await setPreference(token, { delivery: 'pause', until: inDays(5) });
    const response = await unsubscribePost(
      new Request(`${SITE}/api/newsletter/unsubscribe?token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      }),
    );
    expect(response.status).toBe(200);
    expect((await t.prisma.subscriber.findUniqueOrThrow({ where: { id } })).status).toBe('UNSUBSCRIBED');
  });

  it('a pause date is counted in UTC days: tomorrow is the earliest, a year ahead the latest', () => {
    const at = new Date('2026-12-31T23:30:00Z');
    expect(parsePreference({ delivery: 'pause', until: '2027-01-01' }, at)).toMatchObject({ ok: true, value: { delivery: null, pausedUntil: new Date('2027-01-01T00:00:00Z') } });
    expect(parsePreference({ delivery: 'pause', until: '2026-12-31' }, at)).toMatchObject({ ok: false, error: { code: 'pause-date-past' } });
    expect(parsePreference({ delivery: 'pause', until: '2028-01-01' }, at)).toMatchObject({ ok: true });
    expect(parsePreference({ delivery: 'pause', until: '2028-01-02' }, at)).toMatchObject({ ok: false, error: { code: 'pause-date-too-far' } });
  });
});
