import { type APIResponse, expect, type Page, test } from '@playwright/test';
import { renderEmail } from '../lib/email/render';
import { REFERENCE_SLUG } from './support/content';

/**
 * Security headers on every kind of response (pages, feeds, API routes, static files, errors),
 * and a browser that loads the home page and the reference article under that policy without a
 * single Content-Security-Policy violation: the inline bootstrap and theme scripts run, no eval.
 * The expected values are spelled out here rather than imported from lib/security-headers.ts, so
 * a change there has to be a deliberate change here too.
 */

function directives(csp: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), sources);
  }
  return map;
}

function expectSecurityHeaders(response: APIResponse, what: string): void {
  const headers = response.headers();
  const csp = headers['content-security-policy'];
  expect(csp, `${what}: Content-Security-Policy`).toBeTruthy();
  expect(csp, `${what}: no unsafe-eval in production`).not.toContain('unsafe-eval');
  const policy = directives(csp!);
  expect(policy.get('default-src'), what).toEqual(["'self'"]);
  expect(policy.get('script-src'), what).toEqual(["'self'", "'unsafe-inline'"]);
  expect(policy.get('style-src'), what).toEqual(["'self'", "'unsafe-inline'"]);
  expect(policy.get('img-src'), what).toEqual(["'self'", 'data:']);
  expect(policy.get('font-src'), what).toEqual(["'self'"]);
  expect(policy.get('connect-src'), what).toEqual(["'self'"]);
  expect(policy.get('frame-ancestors'), what).toEqual(["'none'"]);
  expect(policy.get('base-uri'), what).toEqual(["'self'"]);
  expect(policy.get('form-action'), what).toEqual(["'self'"]);
  expect(policy.get('object-src'), what).toEqual(["'none'"]);
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  // Newsletter pages and routes carry tokens in their URLs: they send no Referer at all.
  const carriesTokens = /^(?:GET |POST )?\/(?:api\/)?newsletter\//.test(what);
  expect(headers['referrer-policy'], what).toBe(carriesTokens ? 'no-referrer' : 'strict-origin-when-cross-origin');
  expect(headers['x-frame-options'], what).toBe('DENY');
  expect(headers['permissions-policy'], what).toMatch(/camera=\(\)/);
  expect(headers['x-powered-by'], what).toBeUndefined();
  // HSTS only for an https site (SITE_URL at build time); this build's SITE_URL decides.
  if (/^https:/i.test(process.env.SITE_URL ?? '')) {
    expect(headers['strict-transport-security'], what).toMatch(/^max-age=\d{7,}/);
  } else {
    expect(headers['strict-transport-security'], `${what}: HSTS on a plain-http site`).toBeUndefined();
  }
}

test.describe('security headers', () => {
  const GETS = [
    '/',
    `/articles/${REFERENCE_SLUG}`,
    `/articles/${REFERENCE_SLUG}/opengraph-image`,
    '/articles',
    '/tags',
    '/newsletter/confirm',
    '/newsletter/error?reason=invalid-email',
    '/rss.xml',
    '/atom.xml',
    '/feed.json',
    '/sitemap.xml',
    '/robots.txt',
    '/api/health/live',
    '/api/health/ready',
    '/api/newsletter/data?token=nope',
    '/newsletter/manage?token=nope',
  ];

  for (const url of GETS) {
    test(`GET ${url}`, async ({ request }) => {
      const response = await request.get(url, { maxRedirects: 0 });
      expect(response.status(), url).toBeLessThan(600);
      expectSecurityHeaders(response, url);
    });
  }

  test('a 404 page, an API error, a redirect and a static asset', async ({ request }) => {
    const missing = await request.get('/articles/no-such-article');
    expect(missing.status()).toBe(404);
    expectSecurityHeaders(missing, '404 page');

    const apiError = await request.post('/api/newsletter/subscribe', { data: { email: 'not an address' } });
    expect(apiError.status()).toBe(400);
    expectSecurityHeaders(apiError, 'POST /api/newsletter/subscribe (400)');

    const redirect = await request.get('/api/newsletter/unsubscribe?token=x', { maxRedirects: 0 });
    expect(redirect.status()).toBe(303);
    expectSecurityHeaders(redirect, 'GET /api/newsletter/unsubscribe (303)');

    const html = await (await request.get('/')).text();
    const asset = /["'](\/_next\/static\/[^"']+\.(?:js|css))["']/.exec(html)?.[1];
    expect(asset, 'the home page references a /_next/static file').toBeTruthy();
    const file = await request.get(asset!);
    expect(file.status()).toBe(200);
    expectSecurityHeaders(file, asset!);
  });
});

/**
 * Records CSP violations (the DOM event, registered before any page script), console errors and
 * failed responses (by URL: the console only says "Failed to load resource").
 */
async function watchForViolations(page: Page): Promise<{ consoleErrors: string[]; failedResponses: string[] }> {
  const consoleErrors: string[] = [];
  const failedResponses: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (/^Failed to load resource/.test(text)) return;
    if (message.type() === 'error' || /Content Security Policy|Permissions-Policy/i.test(text)) consoleErrors.push(text);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) failedResponses.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  await page.addInitScript(() => {
    const store: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = store;
    document.addEventListener('securitypolicyviolation', (event) => {
      store.push(`${event.violatedDirective} blocked ${event.blockedURI || '(inline)'} at ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  return { consoleErrors, failedResponses };
}

async function violationsIn(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? ['(the listener was not installed)']);
}

test.describe('pages under the policy', () => {
  // idempotency-keys-and-retries has math: KaTeX's stylesheet and fonts load under font-src/style-src 'self'.
  for (const url of ['/', `/articles/${REFERENCE_SLUG}`, '/articles/idempotency-keys-and-retries']) {
    test(`${url}: no CSP violation, inline scripts and hydration work`, async ({ page }) => {
      const watch = await watchForViolations(page);
      await page.emulateMedia({ colorScheme: 'dark' });
      const response = await page.goto(url, { waitUntil: 'networkidle' });
      expect(response?.status()).toBe(200);

      // The inline theme script ran before paint (script-src 'unsafe-inline' is needed and works).
      await expect(page.locator('html')).toHaveClass(/\bdark\b/);
      // React hydrated (the bootstrap scripts ran) and fetch reached the API (connect-src): the
      // signup form answers inline. "a@b" passes the browser's type=email check but not the
      // server's; without JavaScript the form would navigate to /newsletter/error instead.
      const email = page.getByRole('textbox', { name: /email/i }).first();
      await email.fill('a@b');
      await email.press('Enter');
      await expect(page.getByRole('status').filter({ hasText: /valid email address/i }).first()).toBeVisible();
      expect(new URL(page.url()).pathname).toBe(url);

      // Scroll through so lazy content (images, diagrams) loads under the policy too.
      await page.evaluate(async () => {
        for (let y = 0; y < document.body.scrollHeight; y += 800) {
          window.scrollTo(0, y);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      });
      await page.waitForLoadState('networkidle');

      expect(await violationsIn(page)).toEqual([]);
      expect(watch.consoleErrors).toEqual([]);
      // Only the deliberate 400 above: nothing the policy (or anything else) broke.
      expect(watch.failedResponses).toEqual(['400 POST /api/newsletter/subscribe']);
    });
  }
});

test('the dev mailbox shows an email in its sandboxed srcdoc iframe under the same policy', async ({ page, request, baseURL }) => {
  // /dev/mailbox exists only in development; what matters is that its markup works under the
  // policy this server sends. srcdoc documents inherit the embedding page's CSP, and emails are
  // styled inline, so this renders a real confirmation email in the mailbox's exact iframe.
  const csp = (await request.get('/')).headers()['content-security-policy']!;
  const devCsp = csp.replace("script-src 'self' 'unsafe-inline'", "script-src 'self' 'unsafe-inline' 'unsafe-eval'");
  const email = await renderEmail('confirmation', {
    confirmUrl: `${baseURL}/newsletter/confirm?token=${'A'.repeat(43)}`,
    unsubscribeUrl: `${baseURL}/api/newsletter/unsubscribe?token=${'A'.repeat(43)}`,
  });
  expect(email.html).toMatch(/style="/);
  const escaped = email.html.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  const probe = `${baseURL}/__mailbox-csp-probe`;
  await page.route(probe, (route) =>
    route.fulfill({
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': devCsp },
      body: `<!doctype html><html><body><h1>Mailbox</h1><iframe title="HTML body" sandbox="allow-top-navigation-by-user-activation allow-popups" srcdoc="${escaped}" style="width:600px;height:600px"></iframe></body></html>`,
    }),
  );
  const watch = await watchForViolations(page);
  await page.goto(probe);
  const frame = page.frameLocator('iframe[title="HTML body"]');
  const button = frame.getByRole('link', { name: /confirm/i }).first();
  await expect(button).toBeVisible();
  // The inline styles applied: the confirm button is not the default transparent link.
  const background = await button.evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(background).not.toBe('rgba(0, 0, 0, 0)');
  expect(await violationsIn(page)).toEqual([]);
  // The sandbox (no allow-scripts) refuses scripts in the email, as it should; Chromium says so on
  // the console. Any Content-Security-Policy complaint is what this test is about.
  expect(watch.consoleErrors.filter((text) => !/sandboxed and the 'allow-scripts' permission is not set/.test(text))).toEqual([]);
});
