import type { Page } from '@playwright/test';
import { REFERENCE_SLUG } from './support/content';
import {
  axeViolations,
  confirmByApi,
  expect,
  hrefs,
  linkTo,
  listUnsubscribeUrl,
  subscribeByApi,
  test,
} from './support/newsletter';

/**
 * The newsletter as a reader meets it, against the real server e2e/serve.ts starts: a fresh
 * Postgres database and the app's real Resend client pointed at the fake API, which keeps every
 * email. Subscribe from an article (with and without JavaScript), read the email, confirm through
 * the page's button, unsubscribe by the email's link and by the one-click POST, export the data.
 */

const ARTICLE = `/articles/${REFERENCE_SLUG}`;
const CONFIRM_SUBJECT = /^Confirm your subscription to /;
const WELCOME_SUBJECT = /^Welcome to /;

/** The signup box that closes the article. */
function signupBox(page: Page) {
  return page.getByRole('region', { name: 'stay in the loop' });
}

/**
 * Opens the article and waits until React has hydrated its signup form: a click before that would
 * be the plain form post (the no-JavaScript path), not what these tests are about. React keeps its
 * props on hydrated DOM nodes under a `__reactProps$…` key; nothing visible changes.
 */
async function openArticleWithScript(page: Page) {
  await page.goto(ARTICLE);
  const form = signupBox(page).locator('form');
  await expect
    .poll(() => form.evaluate((el) => Object.keys(el).some((key) => key.startsWith('__reactProps$'))), { message: 'the signup form hydrated' })
    .toBe(true);
  return signupBox(page);
}

/** Everything in the page's main landmark that is a button (the header's theme toggle is outside). */
function mainButtons(page: Page) {
  return page.getByRole('main').getByRole('button');
}

test('with JavaScript: subscribe from an article, confirm from the email, receive the welcome email', async ({
  page,
  baseURL,
  address,
  mailbox,
  db,
}) => {
  const email = address();
  const box = await openArticleWithScript(page);
  await box.getByLabel('Email address').fill(email);
  // A marker on window survives only if the page is not reloaded or left.
  await page.evaluate(() => Object.assign(window, { __e2eNoReload: true }));
  await box.getByRole('button', { name: 'Subscribe' }).click();

  const status = box.getByRole('status');
  await expect(status).toHaveText('Check your inbox to confirm your subscription.');
  await expect(status).toHaveAttribute('aria-live', 'polite');
  expect(new URL(page.url()).pathname).toBe(ARTICLE);
  expect(await page.evaluate(() => (window as { __e2eNoReload?: boolean }).__e2eNoReload)).toBe(true);

  // The confirmation email: what it is, the RFC 8058 headers, one link, back to this server.
  const confirmation = await mailbox.one(email, CONFIRM_SUBJECT);
  expect(confirmation.subject).toBe('Confirm your subscription to Quorum');
  expect(confirmation.to).toEqual([email]);
  expect(listUnsubscribeUrl(confirmation).startsWith(`${baseURL}/api/newsletter/unsubscribe?token=`)).toBe(true);
  const confirmLink = linkTo(confirmation, '/newsletter/confirm');
  expect(confirmLink.startsWith(`${baseURL}/newsletter/confirm?token=`)).toBe(true);
  // Besides it, only the unsubscribe link: nothing else to click by mistake.
  const otherLinks = hrefs(confirmation.html ?? '').filter((href) => href !== confirmLink && !href.includes('/api/newsletter/unsubscribe?'));
  expect(otherLinks).toEqual([]);
  expect(await db.status(email)).toBe('PENDING');
  expect(await db.source(email)).toBe(`article:${REFERENCE_SLUG}`);

  // Opening the link shows a page with one button and changes nothing, however often.
  await page.goto(confirmLink);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Confirm your subscription');
  await expect(mainButtons(page)).toHaveCount(1);
  await page.reload();
  await expect(mainButtons(page)).toHaveCount(1);
  await expect(mainButtons(page)).toHaveText('Yes, subscribe me');
  expect(await db.status(email)).toBe('PENDING');
  expect(await db.outboxCount(email, 'WELCOME')).toBe(0);

  await mainButtons(page).click();
  await expect(page).toHaveURL(`${baseURL}/newsletter/confirmed`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("You're subscribed");
  expect(await db.status(email)).toBe('CONFIRMED');

  // The welcome email: same headers, a visible unsubscribe link and the data link.
  const welcome = await mailbox.one(email, WELCOME_SUBJECT);
  expect(welcome.subject).toBe('Welcome to Quorum');
  const unsubscribe = listUnsubscribeUrl(welcome);
  expect(linkTo(welcome, '/api/newsletter/unsubscribe')).toBe(unsubscribe);
  expect(linkTo(welcome, '/newsletter/manage').startsWith(`${baseURL}/newsletter/manage?token=`)).toBe(true);
  expect(await mailbox.to(email)).toHaveLength(2);

  // The used link now says so, and confirming again is harmless.
  await page.goto(confirmLink);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("You're subscribed");
  await expect(mainButtons(page)).toHaveCount(0);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the form posts and lands on the check-inbox page; the emailed link confirms', async ({ page, baseURL, address, mailbox, db }) => {
    const email = address();
    await page.goto(ARTICLE);
    const box = signupBox(page);
    await box.getByLabel('Email address').fill(email);
    await box.getByRole('button', { name: 'Subscribe' }).click();

    await expect(page).toHaveURL(`${baseURL}/newsletter/check-inbox`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your inbox to confirm');
    expect(await db.status(email)).toBe('PENDING');
    expect(await db.source(email)).toBe(`article:${REFERENCE_SLUG}`);

    const confirmLink = linkTo(await mailbox.one(email, CONFIRM_SUBJECT), '/newsletter/confirm');
    await page.goto(confirmLink);
    await expect(mainButtons(page)).toHaveCount(1);
    await mainButtons(page).click();
    await expect(page).toHaveURL(`${baseURL}/newsletter/confirmed`);
    expect(await db.status(email)).toBe('CONFIRMED');
    await mailbox.one(email, WELCOME_SUBJECT);
  });
});

test('a GET of the confirmation link alone confirms nobody', async ({ request, address, mailbox, db }) => {
  const email = address();
  await subscribeByApi(request, email);
  const confirmLink = linkTo(await mailbox.one(email, CONFIRM_SUBJECT), '/newsletter/confirm');

  // What a mail scanner does: fetch the link (twice, and HEAD too), follow redirects, run no script.
  for (const method of ['get', 'get', 'head'] as const) {
    const response = await request[method](confirmLink);
    expect(response.status()).toBe(200);
  }
  const page = await (await request.get(confirmLink)).text();
  expect(page).toContain('Yes, subscribe me');

  expect(await db.status(email)).toBe('PENDING');
  expect(await db.outboxCount(email, 'WELCOME')).toBe(0);
  expect((await mailbox.to(email)).map((d) => d.subject)).toEqual(['Confirm your subscription to Quorum']);
});

test("unsubscribe from the email's link: the manage page, its first button, then the unsubscribed page", async ({
  page,
  request,
  baseURL,
  address,
  mailbox,
  db,
}) => {
  const email = address();
  await subscribeByApi(request, email);
  await confirmByApi(request, linkTo(await mailbox.one(email, CONFIRM_SUBJECT), '/newsletter/confirm'));
  const unsubscribeLink = linkTo(await mailbox.one(email, WELCOME_SUBJECT), '/api/newsletter/unsubscribe');

  // The link (the same URL as List-Unsubscribe) answers a GET with the manage page, never unsubscribing.
  const opened = page.waitForResponse((response) => response.url().includes('/newsletter/manage?token='));
  await page.goto(unsubscribeLink);
  await expect(page).toHaveURL(/\/newsletter\/manage\?token=/);
  // The page carries the token in its URL: it hands no Referer to anyone.
  expect((await opened).headers()['referrer-policy']).toBe('no-referrer');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your subscription');
  await expect(mainButtons(page).first()).toHaveText('Unsubscribe');
  // The address is shown masked: enough to recognise, not to harvest.
  await expect(page.getByRole('main')).not.toContainText(email);
  expect(await db.status(email)).toBe('CONFIRMED');
  expect(await axeViolations(page)).toEqual([]);

  await mainButtons(page).first().click();
  await expect(page).toHaveURL(`${baseURL}/newsletter/unsubscribed`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("You're unsubscribed");
  expect(await db.status(email)).toBe('UNSUBSCRIBED');
});

test('the one-click POST to List-Unsubscribe unsubscribes at once', async ({ request, address, mailbox, db }) => {
  const email = address();
  await subscribeByApi(request, email);
  await confirmByApi(request, linkTo(await mailbox.one(email, CONFIRM_SUBJECT), '/newsletter/confirm'));
  const oneClick = listUnsubscribeUrl(await mailbox.one(email, WELCOME_SUBJECT));
  expect(await db.status(email)).toBe('CONFIRMED');

  // What Gmail or Yahoo send (RFC 8058): a form POST with List-Unsubscribe=One-Click, no cookies.
  const response = await request.post(oneClick, { form: { 'List-Unsubscribe': 'One-Click' }, maxRedirects: 0 });
  expect(response.status()).toBe(200);
  expect(await response.text()).toContain('You have been unsubscribed.');
  expect(await db.status(email)).toBe('UNSUBSCRIBED');

  // Repeating it is harmless.
  expect((await request.post(oneClick, { form: { 'List-Unsubscribe': 'One-Click' }, maxRedirects: 0 })).status()).toBe(200);
  expect(await db.status(email)).toBe('UNSUBSCRIBED');
});

test('an invalid address gets its message inline and nothing is written', async ({ page, address, db }) => {
  const box = await openArticleWithScript(page);
  const input = box.getByLabel('Email address');

  // Text that is not an address at all: the browser's own check stops the form before sending.
  await input.fill('not an address');
  await box.getByRole('button', { name: 'Subscribe' }).click();
  expect(await input.evaluate((el: HTMLInputElement) => el.validity.valid)).toBe(false);
  await expect(box.getByRole('status')).toHaveText('');

  // One the browser accepts but the server refuses (no dot in the domain): the server's field message.
  const invalid = address().replace('@example.com', '@localhost');
  await input.fill(invalid);
  await box.getByRole('button', { name: 'Subscribe' }).click();
  await expect(box.getByRole('status')).toHaveText('Enter a valid email address, like you@example.com.');
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  expect(new URL(page.url()).pathname).toBe(ARTICLE);
  expect(await db.status(invalid)).toBeNull();
});

test('a filled honeypot gets the usual answer, and nothing is stored or sent', async ({ page, address, mailbox, db }) => {
  const bot = address('bot');
  const box = await openArticleWithScript(page);
  await box.getByLabel('Email address').fill(bot);
  // People never see the field (it is off-screen and aria-hidden); a naive bot fills every input.
  await box.locator('input[name="website"]').fill('https://spam.example', { force: true });
  await box.getByRole('button', { name: 'Subscribe' }).click();

  await expect(box.getByRole('status')).toHaveText('Check your inbox to confirm your subscription.');
  // The answer came after the server decided: no row now means none will appear.
  expect(await db.status(bot)).toBeNull();
  expect(await db.outboxCount(bot, 'CONFIRMATION')).toBe(0);
  expect(await mailbox.to(bot)).toEqual([]);
});

test('the manage page emails a single-use data link; it downloads the data once', async ({ page, request, address, mailbox }) => {
  const email = address();
  await subscribeByApi(request, email);
  await confirmByApi(request, linkTo(await mailbox.one(email, CONFIRM_SUBJECT), '/newsletter/confirm'));
  const manageLink = linkTo(await mailbox.one(email, WELCOME_SUBJECT), '/newsletter/manage');

  // The link in the newsletter only asks for a data link: it is emailed, never handed over here.
  await page.goto(manageLink);
  await page.getByRole('button', { name: 'Email me a copy of my data' }).click();
  await expect(page.getByRole('status')).toContainText('We emailed you a link to download your data');
  const dataEmail = await mailbox.one(email, /^Your data from /);
  const dataLink = linkTo(dataEmail, '/newsletter/data');
  expect(dataLink).not.toContain(new URL(manageLink).searchParams.get('token')!);

  await page.goto(dataLink);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Download your data');
  expect(await axeViolations(page)).toEqual([]);
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download my data' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('newsletter-data.json');

  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const data = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
    subscriber: { email: string; status: string; confirmedAt: string | null };
    emails: { kind: string }[];
  };
  expect(data.subscriber.email).toBe(email);
  expect(data.subscriber.status).toBe('CONFIRMED');
  expect(data.subscriber.confirmedAt).not.toBeNull();
  expect(data.emails.map((e) => e.kind).sort()).toEqual(['CONFIRMATION', 'DATA_LINK', 'WELCOME']);

  // Used once: the link now says so.
  await page.goto(dataLink);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This link has been used');
});

test.describe('accessibility', () => {
  test('axe: no violations on the confirm page', async ({ page, request, address, mailbox }) => {
    const email = address();
    await subscribeByApi(request, email);
    await page.goto(linkTo(await mailbox.one(email, CONFIRM_SUBJECT), '/newsletter/confirm'), { waitUntil: 'networkidle' });
    await expect(mainButtons(page)).toHaveCount(1);
    expect(await axeViolations(page)).toEqual([]);
  });

  test('axe: no violations on the check-inbox page', async ({ page }) => {
    await page.goto('/newsletter/check-inbox', { waitUntil: 'networkidle' });
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your inbox to confirm');
    expect(await axeViolations(page)).toEqual([]);
  });
});
