import { createHash } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type APIRequestContext, type Page, type TestInfo } from '@playwright/test';
import pg from 'pg';
import { connectFakeResend, type FakeDelivery } from '../../testing/fake-resend/server';

/**
 * What the newsletter specs need besides a browser: the emails the app sent (the fake Resend API
 * that e2e/serve.ts started) and the database it writes (to see states no page shows). Both
 * addresses reach the workers as E2E_FAKE_RESEND_URL and E2E_DATABASE_URL, captured by
 * playwright.config.ts from serve.ts's "ready" line.
 *
 * Every test gets its own client IP (X-Forwarded-For on every request of its page and `request`
 * fixture), so the per-IP signup limit (10 per 10 minutes) counts each test apart instead of
 * failing the eleventh signup of the run, and its own addresses (`address(label)`), so the
 * per-address limit and the states of other tests never interfere.
 */

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the specs through playwright.config.ts, whose webServer (e2e/serve.ts) provides it`);
  }
  return value;
}

export type SubscriberStatus = 'PENDING' | 'CONFIRMED' | 'UNSUBSCRIBED';

export type Mailbox = {
  /** Every email the fake Resend API accepted for `to`, oldest first. */
  to(to: string): Promise<FakeDelivery[]>;
  /** Waits until exactly one email to `to` whose subject matches has arrived, and returns it. */
  one(to: string, subject: RegExp): Promise<FakeDelivery>;
};

export type Db = {
  /** The subscriber's status, or null when there is no row for the address. */
  status(email: string): Promise<SubscriberStatus | null>;
  source(email: string): Promise<string | null>;
  /** Outbox rows (any status) addressed to `email`, by kind. */
  outboxCount(email: string, kind: 'CONFIRMATION' | 'WELCOME'): Promise<number>;
  /** The stored preference: delivery (EVERY | WEEKLY) and the pause's end as YYYY-MM-DD (UTC), or null. */
  preference(email: string): Promise<{ delivery: string; pausedUntil: string | null } | null>;
};

type TestFixtures = {
  /** A unique, lower-case address for this test (and label): e2e+<label>-<test id>@example.com. */
  address: (label?: string) => string;
  mailbox: Mailbox;
};

type WorkerFixtures = { db: Db };

/** A stable fake client IP per test run of a test: 10.x.y.z from a hash of its identity. */
export function clientIpFor(testInfo: TestInfo): string {
  const digest = createHash('sha256').update(`${testInfo.testId}:${testInfo.repeatEachIndex}:${testInfo.retry}`).digest();
  return `10.${digest[0]}.${digest[1]}.${digest[2]}`;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  extraHTTPHeaders: async ({ extraHTTPHeaders }, use, testInfo) => {
    await use({ ...extraHTTPHeaders, 'X-Forwarded-For': clientIpFor(testInfo) });
  },

  address: async ({}, use, testInfo) => {
    const suffix = `${testInfo.testId}-${testInfo.repeatEachIndex}-${testInfo.retry}`.toLowerCase();
    await use((label = 'reader') => `e2e+${label}-${suffix}@example.com`);
  },

  mailbox: async ({}, use) => {
    const fake = connectFakeResend(required('E2E_FAKE_RESEND_URL'));
    const to = async (address: string) => (await fake.deliveries()).filter((d) => d.to.includes(address));
    await use({
      to,
      async one(address, subject) {
        let found: FakeDelivery[] = [];
        await expect
          .poll(async () => (found = (await to(address)).filter((d) => subject.test(d.subject))).length, {
            message: `one email to ${address} with a subject matching ${subject}`,
            timeout: 15_000,
          })
          .toBe(1);
        return found[0]!;
      },
    });
  },

  db: [
    async ({}, use) => {
      const pool = new pg.Pool({ connectionString: required('E2E_DATABASE_URL'), max: 2 });
      const one = async <T>(sql: string, params: unknown[]) => (await pool.query<Record<string, T>>(sql, params)).rows[0];
      await use({
        async status(email) {
          return ((await one<SubscriberStatus>('SELECT status::text AS value FROM subscribers WHERE email = $1', [email]))?.value ??
            null) as SubscriberStatus | null;
        },
        async source(email) {
          return (await one<string | null>('SELECT source AS value FROM subscribers WHERE email = $1', [email]))?.value ?? null;
        },
        async outboxCount(email, kind) {
          const row = await one<string>('SELECT count(*)::text AS value FROM outbox_emails WHERE to_address = $1 AND kind::text = $2', [
            email,
            kind,
          ]);
          return Number(row?.value ?? 0);
        },
        async preference(email) {
          const { rows } = await pool.query<{ delivery: string; paused_until: string | null }>(
            `SELECT delivery::text AS delivery, to_char(paused_until AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS paused_until FROM subscribers WHERE email = $1`,
            [email],
          );
          return rows[0] ? { delivery: rows[0].delivery, pausedUntil: rows[0].paused_until } : null;
        },
      });
      await pool.end();
    },
    { scope: 'worker' },
  ],
});

export { expect };

// ---------------------------------------------------------------------------------------------
// emails

const TOKEN = '[A-Za-z0-9_-]{43}';

/** The href of every <a> in an email's HTML, entities decoded. */
export function hrefs(html: string): string[] {
  return [...html.matchAll(/<a\b[^>]*\bhref="([^"]*)"/g)].map((m) => (m[1] ?? '').replaceAll('&amp;', '&'));
}

/** Every absolute URL in an email's plain text. */
export function textUrls(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s<>()[\]"]+/g)].map((m) => m[0]);
}

/** The distinct links of `email` (HTML and text checked separately) whose path is `path`. */
export function linksTo(email: FakeDelivery, path: string): { html: string[]; text: string[] } {
  const pattern = new RegExp(`^https?://[^/]+${path.replace(/[/?]/g, '\\$&')}\\?token=${TOKEN}$`);
  const pick = (urls: string[]) => [...new Set(urls.filter((url) => pattern.test(url)))];
  return { html: pick(hrefs(email.html ?? '')), text: pick(textUrls(email.text ?? '')) };
}

/** The one link to `path` in `email`: the same in its HTML and its plain text. */
export function linkTo(email: FakeDelivery, path: string): string {
  const { html, text } = linksTo(email, path);
  expect(html, `one ${path} link in the HTML`).toHaveLength(1);
  expect(text, `the same ${path} link in the plain text`).toEqual(html);
  return html[0]!;
}

/** The URL inside `List-Unsubscribe: <…>`, after checking the RFC 8058 pair of headers. */
export function listUnsubscribeUrl(email: FakeDelivery): string {
  const header = email.headers['List-Unsubscribe'] ?? '';
  expect(header).toMatch(new RegExp(`^<https?://[^>]+/api/newsletter/unsubscribe\\?token=${TOKEN}>$`));
  expect(email.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  return header.slice(1, -1);
}

// ---------------------------------------------------------------------------------------------
// flows through the API (setup for tests about a later step)

/** A signup as the form with JavaScript sends it; resolves once the app answered 200. */
export async function subscribeByApi(request: APIRequestContext, email: string): Promise<void> {
  const response = await request.post('/api/newsletter/subscribe', { data: { email, source: 'e2e' } });
  expect(response.status(), await response.text()).toBe(200);
}

/** Confirms with the token of `confirmLink`, as the confirm page's button would. */
export async function confirmByApi(request: APIRequestContext, confirmLink: string): Promise<void> {
  const token = new URL(confirmLink).searchParams.get('token');
  const response = await request.post('/api/newsletter/confirm', { data: { token } });
  expect(response.status(), await response.text()).toBe(200);
  expect(((await response.json()) as { status: string }).status).toBe('confirmed');
}

// ---------------------------------------------------------------------------------------------
// accessibility

/** axe's violations on the current page, in a readable shape ([] when there are none). */
export async function axeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.passes.length, 'axe ran its checks').toBeGreaterThan(10);
  return results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`),
  }));
}
