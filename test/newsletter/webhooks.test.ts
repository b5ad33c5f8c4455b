import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type CapturedLogs,
  captureLogs,
  clientAt,
  closedPort,
  fromClient,
  jsonRequest,
  queuedDataLinkToken,
  type NewsletterTestEnv,
  resendTransport,
  SITE,
  startNewsletterTestEnv,
  uniqueEmail,
  uniqueIp,
} from './support';

// A Svix signing secret as Resend shows it: "whsec_" + base64 of random bytes.
const WEBHOOK_SECRET = vi.hoisted(() => {
  // lib/env.ts reads the environment once, at its first import.
  process.env.RESEND_WEBHOOK_SECRET = `whsec_${Buffer.from('webhook-signing-key-for-the-tests!').toString('base64')}`;
  return process.env.RESEND_WEBHOOK_SECRET;
});
const dbState = await vi.hoisted(async () => (await import('./email-env')).hoistedTestState());
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('./mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), dbState),
);

import { POST as subscribeRoute } from '@/app/api/newsletter/subscribe/route';
import { POST as webhookRoute } from '@/app/api/webhooks/resend/route';
import { createPrismaClient } from '@/lib/db';
import { deleteOldWebhookEvents, WEBHOOK_EVENT_RETENTION_MS } from '@/lib/newsletter/cleanup';
import { waitForImmediateSends } from '@/lib/newsletter/immediate';
import { processOutboxBatch } from '@/lib/sending';
import { confirmSubscription, deleteSubscriberData, exportSubscriberData, requestDataLink, subscribe } from '@/lib/newsletter/service';
import { suppressAddresses } from '@/lib/newsletter/suppression';
import { createManageToken, openSealedToken } from '@/lib/newsletter/tokens';
import { newsletterSecret } from '@/lib/env';

/**
 * Resend webhooks against the real Postgres: Svix signatures (computed here from the spec, not
 * with the SDK the route uses), dedupe by svix-id, suppression, and that a suppressed address
 * gets nothing more.
 */

const URL_WEBHOOK = `${SITE}/api/webhooks/resend`;
let t: NewsletterTestEnv;
let logs: CapturedLogs;

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

/** Svix: base64(HMAC-SHA256(base64-decoded secret after "whsec_", `${id}.${timestamp}.${body}`)). */
function svixSignature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
}

type Delivery = { body: string; id?: string; timestamp?: number; secret?: string; signature?: string; headers?: Record<string, string> };

/** A webhook request as Svix sends it, signed over `signedBody` (default: the body sent). */
function webhookRequest(options: Delivery & { signedBody?: string }): Request {
  const id = options.id ?? `msg_${randomUUID().replace(/-/g, '')}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = options.signature ?? `v1,${svixSignature(options.secret ?? WEBHOOK_SECRET, id, timestamp, options.signedBody ?? options.body)}`;
  return new Request(URL_WEBHOOK, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'svix-id': id,
      'svix-timestamp': String(timestamp),
      'svix-signature': signature,
      ...options.headers,
    },
    body: options.body,
  });
}

function bounced(to: string[], bounceType = 'Permanent', subType = 'General'): string {
  return JSON.stringify({
    type: 'email.bounced',
    created_at: new Date().toISOString(),
    data: {
      created_at: new Date().toISOString(),
      email_id: randomUUID(),
      from: 'Quorum <newsletter@example.com>',
      to,
      subject: 'Confirm your subscription',
      bounce: { message: 'The recipient does not exist.', subType, type: bounceType },
    },
  });
}

function complained(to: string[]): string {
  return JSON.stringify({
    type: 'email.complained',
    created_at: new Date().toISOString(),
    data: { created_at: new Date().toISOString(), email_id: randomUUID(), from: 'Quorum <newsletter@example.com>', to, subject: 'Welcome' },
  });
}

const suppressionOf = (email: string) => t.prisma.suppression.findUnique({ where: { email } });
const eventCount = (svixId: string) => t.prisma.webhookEvent.count({ where: { svixId } });

async function post(request: Request): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await webhookRoute(request);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('signature', () => {
  it('a correctly signed hard bounce suppresses the recipient (lowercased), recording its svix-id', async () => {
    const email = uniqueEmail('hard');
    const id = `msg_${randomUUID()}`;
    const { status, body } = await post(webhookRequest({ id, body: bounced([email.toUpperCase()]) }));
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, outcome: 'suppressed', reason: 'BOUNCE', added: 1 });
    expect(await suppressionOf(email)).toMatchObject({ reason: 'BOUNCE', sourceEventId: id });
    expect(await t.prisma.webhookEvent.findUnique({ where: { svixId: id } })).toMatchObject({ type: 'email.bounced' });
  });

  it('a complaint suppresses every recipient', async () => {
    const [a, b] = [uniqueEmail('complaint'), uniqueEmail('complaint')];
    const { status, body } = await post(webhookRequest({ body: complained([a, `Reader <${b}>`]) }));
    expect(status).toBe(200);
    expect(body).toMatchObject({ outcome: 'suppressed', reason: 'COMPLAINT', added: 2 });
    expect(await suppressionOf(a)).toMatchObject({ reason: 'COMPLAINT' });
    expect(await suppressionOf(b)).toMatchObject({ reason: 'COMPLAINT' });
  });

  it('accepts the right signature among several (secret rotation), in any position', async () => {
    const email = uniqueEmail('rotated');
    const id = `msg_${randomUUID()}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const body = complained([email]);
    const good = svixSignature(WEBHOOK_SECRET, id, timestamp, body);
    const old = svixSignature('whsec_b2xkLXNpZ25pbmcta2V5', id, timestamp, body);
    const { status } = await post(webhookRequest({ id, timestamp, body, signature: `v1,${old} v1,${good}` }));
    expect(status).toBe(200);
    expect(await suppressionOf(email)).not.toBeNull();
  });

  it('a tampered body is refused with 401 and writes nothing', async () => {
    const original = uniqueEmail('original');
    const swapped = uniqueEmail('swapped');
    const id = `msg_${randomUUID()}`;
    const { status } = await post(webhookRequest({ id, signedBody: bounced([original]), body: bounced([swapped]) }));
    expect(status).toBe(401);
    expect(await suppressionOf(original)).toBeNull();
    expect(await suppressionOf(swapped)).toBeNull();
    expect(await eventCount(id)).toBe(0);
  });

  it('a timestamp more than 5 minutes old or ahead is refused with 401, even correctly signed', async () => {
    const email = uniqueEmail('replayed');
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [now - 6 * 60, now + 6 * 60]) {
      const id = `msg_${randomUUID()}`;
      const { status } = await post(webhookRequest({ id, timestamp, body: complained([email]) }));
      expect(status).toBe(401);
      expect(await eventCount(id)).toBe(0);
    }
    expect(await suppressionOf(email)).toBeNull();
    // Within the tolerance it is accepted.
    expect((await post(webhookRequest({ timestamp: now - 4 * 60, body: complained([email]) }))).status).toBe(200);
  });

  it('missing headers, another secret, a non-v1 or garbled signature: 401', async () => {
    const email = uniqueEmail('unsigned');
    const body = complained([email]);
    const unsigned = new Request(URL_WEBHOOK, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await post(unsigned)).status).toBe(401);
    expect((await post(webhookRequest({ body, headers: { 'svix-id': '' } }))).status).toBe(401);
    expect((await post(webhookRequest({ body, secret: 'whsec_YW5vdGhlci1zZWNyZXQ=' }))).status).toBe(401);
    const id = `msg_${randomUUID()}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const v2 = `v2,${svixSignature(WEBHOOK_SECRET, id, timestamp, body)}`;
    expect((await post(webhookRequest({ id, timestamp, body, signature: v2 }))).status).toBe(401);
    expect((await post(webhookRequest({ body, signature: 'v1' }))).status).toBe(401);
    expect((await post(webhookRequest({ body, signature: 'garbage' }))).status).toBe(401);
    expect((await post(webhookRequest({ body, headers: { 'svix-timestamp': 'yesterday' } }))).status).toBe(401);
    expect(await suppressionOf(email)).toBeNull();
  });

  it('a correctly signed body that is not JSON, or not an event: 400, nothing written', async () => {
    const id = `msg_${randomUUID()}`;
    const notJson = await post(webhookRequest({ id, body: '{"type": "email.bounced", ' }));
    expect(notJson.status).toBe(400);
    expect((await post(webhookRequest({ body: '' }))).status).toBe(400);
    expect((await post(webhookRequest({ body: JSON.stringify({ data: {} }) }))).status).toBe(400);
    expect((await post(webhookRequest({ body: JSON.stringify({ type: 'email.bounced', data: { to: 42 } }) }))).status).toBe(400);
    expect(await eventCount(id)).toBe(0);
  });
});

describe('duplicates and other events', () => {
  it('a redelivery with the same svix-id answers 200 and changes nothing', async () => {
    const email = uniqueEmail('twice');
    const id = `msg_${randomUUID()}`;
    const first = await post(webhookRequest({ id, body: bounced([email]) }));
    expect(first.body).toMatchObject({ outcome: 'suppressed', added: 1 });
    const firstRow = await suppressionOf(email);

    const again = await post(webhookRequest({ id, body: bounced([email]) }));
    expect(again).toMatchObject({ status: 200, body: { ok: true, outcome: 'duplicate' } });
    // Even a redelivery carrying other recipients is ignored: the id was processed.
    const other = uniqueEmail('other');
    expect((await post(webhookRequest({ id, body: complained([other]) }))).body).toMatchObject({ outcome: 'duplicate' });

    expect(await eventCount(id)).toBe(1);
    expect(await suppressionOf(email)).toEqual(firstRow);
    expect(await suppressionOf(other)).toBeNull();
  });

  it('two concurrent deliveries of one event: exactly one is processed', async () => {
    const email = uniqueEmail('concurrent');
    const id = `msg_${randomUUID()}`;
    const body = complained([email]);
    const results = await Promise.all([post(webhookRequest({ id, body })), post(webhookRequest({ id, body }))]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(results.map((r) => r.body.outcome).sort()).toEqual(['duplicate', 'suppressed']);
    expect(await eventCount(id)).toBe(1);
  });

  it('a second event for a suppressed address keeps the first reason', async () => {
    const email = uniqueEmail('both');
    await post(webhookRequest({ body: bounced([email]) }));
    const { body } = await post(webhookRequest({ body: complained([email]) }));
    expect(body).toMatchObject({ outcome: 'suppressed', added: 0 });
    expect(await suppressionOf(email)).toMatchObject({ reason: 'BOUNCE' });
  });

  it('a soft (transient) or undetermined bounce is acknowledged and ignored', async () => {
    const email = uniqueEmail('soft');
    for (const [type, subType] of [
      ['Transient', 'MailboxFull'],
      ['Undetermined', 'Undetermined'],
    ] as const) {
      const { status, body } = await post(webhookRequest({ body: bounced([email], type, subType) }));
      expect(status).toBe(200);
      expect(body).toMatchObject({ ok: true, outcome: 'ignored' });
    }
    expect(await suppressionOf(email)).toBeNull();
  });

  it('other event types are acknowledged and write nothing', async () => {
    const email = uniqueEmail('delivered');
    const id = `msg_${randomUUID()}`;
    const body = JSON.stringify({ type: 'email.delivered', created_at: new Date().toISOString(), data: { email_id: 'x', to: [email] } });
    const answer = await post(webhookRequest({ id, body }));
    expect(answer).toMatchObject({ status: 200, body: { ok: true, outcome: 'ignored' } });
    expect(await eventCount(id)).toBe(0);
    expect(await suppressionOf(email)).toBeNull();
  });

  it('webhook ids are forgotten after 30 days by the cleanup', async () => {
    // Long before every other row in this database, so the counts are exactly this one.
    const receivedAt = Date.parse('2001-01-01T00:00:00Z');
    const id = `msg_${randomUUID()}`;
    await t.prisma.webhookEvent.create({ data: { svixId: id, type: 'email.bounced', receivedAt: new Date(receivedAt) } });
    expect(await deleteOldWebhookEvents(t.prisma, new Date(receivedAt + WEBHOOK_EVENT_RETENTION_MS))).toBe(0);
    expect(await deleteOldWebhookEvents(t.prisma, new Date(receivedAt + WEBHOOK_EVENT_RETENTION_MS + 1))).toBe(1);
    expect(await eventCount(id)).toBe(0);
  });
});

describe('a suppressed address gets no further email', () => {
  const worker = (workerId: string) =>
    processOutboxBatch({ workerId, db: t.prisma, transport: resendTransport(t.fake), secret: newsletterSecret(), limit: 100 });

  it('a queued email is cancelled by the webhook, and the worker never calls the provider for it', async () => {
    const email = uniqueEmail('queued');
    await subscribe({ email }, { client: clientAt(uniqueIp()), sendImmediately: false });
    const row = await t.prisma.outboxEmail.findFirstOrThrow({ where: { toAddress: email } });
    expect(row.status).toBe('QUEUED');

    expect((await post(webhookRequest({ body: complained([email]) }))).body).toMatchObject({ outcome: 'suppressed', cancelledEmails: 1 });
    expect(await t.prisma.outboxEmail.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      status: 'CANCELLED',
      lastError: 'cancelled: address suppressed',
    });
    await worker('webhook-test-1');
    expect(t.fake.requests().filter((r) => r.headers['idempotency-key'] === row.id)).toEqual([]);
  });

  it('the worker itself cancels a row whose address was suppressed after it was queued', async () => {
    const email = uniqueEmail('worker');
    await subscribe({ email }, { client: clientAt(uniqueIp()), sendImmediately: false });
    const row = await t.prisma.outboxEmail.findFirstOrThrow({ where: { toAddress: email } });
    // Straight into the table, as a row already claimed by a worker would experience it: the
    // webhook's own cancellation of queued rows is not involved.
    await t.prisma.suppression.create({ data: { email, reason: 'MANUAL' } });

    const result = await worker('webhook-test-2');
    expect(result.cancelled).toBeGreaterThanOrEqual(1);
    const after = await t.prisma.outboxEmail.findUniqueOrThrow({ where: { id: row.id } });
    expect(after).toMatchObject({ status: 'CANCELLED', lastError: 'cancelled: address suppressed', sentAt: null });
    expect((after.payload as Record<string, unknown>).sealedToken).toBeUndefined();
    expect(t.fake.requests().filter((r) => r.headers['idempotency-key'] === row.id)).toEqual([]);
  });

  it('a confirmed subscriber who complains gets no welcome email', async () => {
    const email = uniqueEmail('welcome');
    await subscribe({ email }, { client: clientAt(uniqueIp()), sendImmediately: false });
    const confirmation = await t.prisma.outboxEmail.findFirstOrThrow({ where: { toAddress: email } });
    const token = openSealedToken((confirmation.payload as { sealedToken: string }).sealedToken, newsletterSecret());
    await suppressAddresses(t.prisma, { emails: [email], reason: 'COMPLAINT' });
    expect((await confirmSubscription(token!, { sendImmediately: false })).status).toBe('confirmed');
    const welcome = await t.prisma.outboxEmail.findFirstOrThrow({ where: { toAddress: email, kind: 'WELCOME' } });
    await worker('webhook-test-3');
    expect(await t.prisma.outboxEmail.findUniqueOrThrow({ where: { id: welcome.id } })).toMatchObject({ status: 'CANCELLED' });
    expect(t.fake.deliveries().filter((d) => d.to.includes(email))).toEqual([]);
  });

  it('signing up again answers exactly like any signup, but writes and sends nothing', async () => {
    const suppressed = uniqueEmail('resignup');
    await post(webhookRequest({ body: bounced([suppressed]) }));
    const fresh = uniqueEmail('fresh');

    const answers = [];
    for (const email of [suppressed, fresh]) {
      const response = await subscribeRoute(
        jsonRequest(`${SITE}/api/newsletter/subscribe`, { email: email.toUpperCase() }, { headers: fromClient(uniqueIp()) }),
      );
      answers.push({ status: response.status, body: await response.json() });
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]!.status).toBe(200);

    await waitForImmediateSends();
    expect(await t.prisma.outboxEmail.count({ where: { toAddress: suppressed } })).toBe(0);
    expect(await t.prisma.subscriber.count({ where: { email: suppressed } })).toBe(0);
    expect(t.fake.deliveries().filter((d) => d.to.includes(suppressed))).toEqual([]);
    // The control: the fresh address got its confirmation.
    expect(t.fake.deliveries().filter((d) => d.to.includes(fresh))).toHaveLength(1);
  });

  it("a subscriber's data export shows the suppression, and deleting their data keeps it", async () => {
    const email = uniqueEmail('export');
    await subscribe({ email }, { client: clientAt(uniqueIp()), sendImmediately: false });
    const subscriber = await t.prisma.subscriber.findUniqueOrThrow({ where: { email } });
    const manageToken = createManageToken(subscriber.id, newsletterSecret());
    const exportLink = async () => {
      await requestDataLink(manageToken, 'export', { sendImmediately: false });
      return queuedDataLinkToken(t.prisma, subscriber.id);
    };
    const before = await exportSubscriberData(await exportLink());
    expect(before.ok && before.data.suppression).toBeNull();

    await post(webhookRequest({ body: complained([email]) }));
    const after = await exportSubscriberData(await exportLink());
    if (!after.ok) throw new Error(`export refused: ${after.refused}`);
    expect(after.data.suppression).toMatchObject({ reason: 'COMPLAINT' });
    expect(after.data.notes.join(' ')).toMatch(/send it nothing/);

    await requestDataLink(manageToken, 'delete', { sendImmediately: false });
    expect(await deleteSubscriberData(await queuedDataLinkToken(t.prisma, subscriber.id))).toEqual({ ok: true });
    expect(await t.prisma.subscriber.count({ where: { email } })).toBe(0);
    expect(await suppressionOf(email)).toMatchObject({ reason: 'COMPLAINT' });
  });
});

describe('unavailable', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('503 when RESEND_WEBHOOK_SECRET is not set (and the log says so), without reading the event', async () => {
    vi.resetModules();
    vi.stubEnv('RESEND_WEBHOOK_SECRET', '');
    const route = (await import('@/app/api/webhooks/resend/route')).POST;
    const email = uniqueEmail('unconfigured');
    const before = logs.lines.length;
    const response = await route(webhookRequest({ body: complained([email]) }));
    expect(response.status).toBe(503);
    expect(logs.lines.slice(before).join('\n')).toMatch(/webhook-not-configured.*RESEND_WEBHOOK_SECRET is not set/);
    expect(await suppressionOf(email)).toBeNull();
  });

  it('503 when the database is unreachable, so Svix delivers it again later', async () => {
    const port = await closedPort();
    const unreachable = createPrismaClient(`postgresql://postgres@127.0.0.1:${port}/postgres?connect_timeout=2`);
    dbState.client = unreachable;
    try {
      const response = await webhookRoute(webhookRequest({ body: complained([uniqueEmail('down')]) }));
      expect(response.status).toBe(503);
      expect(JSON.stringify(await response.json())).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    } finally {
      dbState.client = t.prisma;
      await unreachable.$disconnect();
    }
  }, 30_000);
});

describe('logs', () => {
  it('never contain a recipient address', () => {
    const text = logs.text();
    expect(text).toMatch(/webhook/);
    expect(text).not.toMatch(/@example\.com/);
  });
});
