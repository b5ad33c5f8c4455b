import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const METRICS_TOKEN = vi.hoisted(() => {
  // lib/env.ts reads the environment once, at its first import.
  process.env.METRICS_TOKEN = 'metrics-token-for-the-tests-only';
  return process.env.METRICS_TOKEN;
});
const dbState = await vi.hoisted(async () => (await import('../newsletter/email-env')).hoistedTestState());
vi.mock('@/lib/db', async (importOriginal) =>
  (await import('../newsletter/mock-db')).mockDbModule(await importOriginal<typeof import('@/lib/db')>(), dbState),
);

import { GET as metricsRoute } from '@/app/api/metrics/route';
import { POST as subscribeRoute } from '@/app/api/newsletter/subscribe/route';
import { POST as confirmRoute } from '@/app/api/newsletter/confirm/route';
import { waitForImmediateSends } from '@/lib/newsletter/immediate';
import { handleResendEvent } from '@/lib/newsletter/webhooks';
import { captureLogs, formRequest, fromClient, jsonRequest, linkToken, SITE, startNewsletterTestEnv, uniqueEmail, uniqueIp, type NewsletterTestEnv } from '../newsletter/support';
import { sample } from './support';

/**
 * GET /api/metrics through its real route handler, after signups through theirs: the real
 * Postgres, the real resend SDK against the fake API, and the process-wide registry the route
 * reads. Each figure is read from the exposition text, as Prometheus reads it.
 */

let t: NewsletterTestEnv;
const URL_METRICS = `${SITE}/api/metrics`;

beforeAll(async () => {
  captureLogs();
  t = await startNewsletterTestEnv(dbState);
}, 60_000);
afterAll(async () => {
  await waitForImmediateSends();
  await t?.close();
  vi.restoreAllMocks();
});

const scrape = (headers: Record<string, string> = { authorization: `Bearer ${METRICS_TOKEN}` }) => metricsRoute(new Request(URL_METRICS, { headers }));

async function figures(): Promise<string> {
  const response = await scrape();
  expect(response.status).toBe(200);
  return response.text();
}

async function signup(email: string, ip = uniqueIp()): Promise<Response> {
  const response = await subscribeRoute(jsonRequest(`${SITE}/api/newsletter/subscribe`, { email }, { headers: fromClient(ip) }));
  await waitForImmediateSends();
  return response;
}

describe('GET /api/metrics', { timeout: 60_000 }, () => {
  it('refuses an anonymous request, a wrong token and another scheme with 401, and says nothing', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer not-the-metrics-token-at-all' }, { authorization: `Basic ${METRICS_TOKEN}` }, { authorization: `Bearer ${METRICS_TOKEN}x` }];
    for (const headers of attempts) {
      const response = await scrape(headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.text()).not.toMatch(/quorum_/);
    }
  });

  it('answers the token with the Prometheus text format, never to be stored', async () => {
    const response = await scrape();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    for (const name of [
      'quorum_newsletter_signups_total',
      'quorum_newsletter_confirmations_total',
      'quorum_newsletter_unsubscribes_total',
      'quorum_outbox_emails_total',
      'quorum_email_provider_request_duration_seconds',
      'quorum_email_provider_rate_limited_total',
      'quorum_email_circuit_state',
      'quorum_outbox_queue_depth',
      'quorum_outbox_oldest_waiting_age_seconds',
      'quorum_rate_limit_refusals_total',
      'quorum_process_cpu_seconds_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(sample(text, 'quorum_metrics_database_up')).toBe(1);
  });

  it('moves after a signup: the signup, its confirmation email, the provider request; the queue reads from Postgres', async () => {
    const before = await figures();
    const email = uniqueEmail('metrics');
    expect((await signup(email)).status).toBe(200);
    expect(t.fake.deliveries().filter((d) => d.to.includes(email))).toHaveLength(1);
    const after = await figures();

    const moved = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(moved('quorum_newsletter_signups_total', { outcome: 'new' })).toBe(1);
    expect(moved('quorum_outbox_emails_total', { kind: 'CONFIRMATION', outcome: 'sent' })).toBe(1);
    expect(moved('quorum_email_provider_request_duration_seconds_count', { provider: 'resend', endpoint: 'send', outcome: 'ok' })).toBe(1);
    expect(sample(after, 'quorum_email_circuit_state', { provider: 'resend', state: 'closed' })).toBe(1);
    expect(sample(after, 'quorum_email_circuit_state', { provider: 'resend', state: 'open' })).toBe(0);
    // Nothing waits: the email left at once.
    expect(sample(after, 'quorum_outbox_queue_depth', { kind: 'CONFIRMATION' })).toBe(0);
    expect(sample(after, 'quorum_outbox_oldest_waiting_age_seconds')).toBe(0);

    // The same address again: no email (pending, mailed a moment ago), counted by its outcome.
    await signup(email);
    const again = await figures();
    expect(sample(again, 'quorum_newsletter_signups_total', { outcome: 'pending-throttled' }) - sample(after, 'quorum_newsletter_signups_total', { outcome: 'pending-throttled' })).toBe(1);

    // Confirming moves the confirmations and sends the welcome email.
    const confirmation = t.fake.deliveries().find((d) => d.to.includes(email))!;
    const token = linkToken(confirmation.text ?? '', '/newsletter/confirm');
    const confirmed = await confirmRoute(formRequest(`${SITE}/api/newsletter/confirm`, { token }, { headers: fromClient(uniqueIp()) }));
    await waitForImmediateSends();
    expect(confirmed.status).toBeLessThan(400);
    const last = await figures();
    expect(sample(last, 'quorum_newsletter_confirmations_total', { outcome: 'confirmed' }) - sample(again, 'quorum_newsletter_confirmations_total', { outcome: 'confirmed' })).toBe(1);
    expect(sample(last, 'quorum_outbox_emails_total', { kind: 'WELCOME', outcome: 'sent' }) - sample(again, 'quorum_outbox_emails_total', { kind: 'WELCOME', outcome: 'sent' })).toBe(1);
  });

  it('reports the waiting queue and its oldest row while the provider refuses, and counts the 429s and the refusals', async () => {
    const before = await figures();
    t.fake.failNext(1, { status: 429, retryAfterSeconds: 30 });
    const email = uniqueEmail('throttled');
    expect((await signup(email)).status).toBe(200);
    // The row is back in the queue (no attempt counted) until Retry-After; it is a few ms old.
    const row = await t.prisma.outboxEmail.findFirstOrThrow({ where: { toAddress: email } });
    expect(row.status).toBe('QUEUED');
    await t.prisma.outboxEmail.update({ where: { id: row.id }, data: { createdAt: new Date(Date.now() - 600_000) } });

    const after = await figures();
    const moved = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(moved('quorum_email_provider_rate_limited_total', { provider: 'resend', endpoint: 'send' })).toBe(1);
    expect(moved('quorum_email_provider_request_duration_seconds_count', { provider: 'resend', endpoint: 'send', outcome: 'rate_limited' })).toBe(1);
    expect(moved('quorum_outbox_emails_total', { kind: 'CONFIRMATION', outcome: 'released' })).toBe(1);
    expect(sample(after, 'quorum_outbox_queue_depth', { kind: 'CONFIRMATION' })).toBe(1);
    const age = sample(after, 'quorum_outbox_oldest_waiting_age_seconds');
    expect(age).toBeGreaterThanOrEqual(600);
    expect(age).toBeLessThan(3600);

    // One client past its 10 signups per 10 minutes: each refusal is counted, by limit and scope.
    const ip = uniqueIp();
    for (let i = 0; i < 12; i += 1) await signup(uniqueEmail('flood'), ip);
    const flooded = await figures();
    expect(sample(flooded, 'quorum_rate_limit_refusals_total', { limit: 'subscribe', scope: 'ip' }) - sample(after, 'quorum_rate_limit_refusals_total', { limit: 'subscribe', scope: 'ip' })).toBe(2);
    expect(sample(flooded, 'quorum_newsletter_signups_total', { outcome: 'rate-limited' }) - sample(after, 'quorum_newsletter_signups_total', { outcome: 'rate-limited' })).toBe(2);
    expect(sample(flooded, 'quorum_newsletter_signups_total', { outcome: 'invalid' })).toBe(sample(after, 'quorum_newsletter_signups_total', { outcome: 'invalid' }));
    // An address the route refuses (400) before the service sees it is counted too.
    expect((await signup('not-an-address')).status).toBe(400);
    expect(sample(await figures(), 'quorum_newsletter_signups_total', { outcome: 'invalid' }) - sample(flooded, 'quorum_newsletter_signups_total', { outcome: 'invalid' })).toBe(1);
  });

  it('counts complaints and bounces from the webhook, a redelivery as a duplicate', async () => {
    const before = await figures();
    const complained = { type: 'email.complained' as const, to: [uniqueEmail('complainer')] };
    await handleResendEvent({ svixId: 'msg_metrics_complaint', event: complained });
    await handleResendEvent({ svixId: 'msg_metrics_complaint', event: complained });
    await handleResendEvent({ svixId: 'msg_metrics_soft', event: { type: 'email.bounced', to: [uniqueEmail('soft')], bounceType: 'Transient' } });
    const after = await figures();
    const moved = (labels: Record<string, string>) => sample(after, 'quorum_newsletter_webhook_events_total', labels) - sample(before, 'quorum_newsletter_webhook_events_total', labels);
    expect(moved({ type: 'email.complained', outcome: 'suppressed' })).toBe(1);
    expect(moved({ type: 'email.complained', outcome: 'duplicate' })).toBe(1);
    expect(moved({ type: 'email.bounced', outcome: 'ignored' })).toBe(1);
  });

  it('keeps answering its counters when the database is gone, and says so', async () => {
    const client = dbState.client;
    const { createPrismaClient } = await import('@/lib/db');
    const { closedPort } = await import('../newsletter/support');
    const gone = createPrismaClient(`postgresql://postgres@127.0.0.1:${await closedPort()}/none`);
    dbState.client = gone;
    try {
      const text = await figures();
      expect(sample(text, 'quorum_metrics_database_up')).toBe(0);
      expect(text).toContain('quorum_newsletter_signups_total{outcome="new"}');
    } finally {
      dbState.client = client;
      await gone.$disconnect();
    }
  });
});
