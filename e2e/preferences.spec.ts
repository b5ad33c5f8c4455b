import type { Page } from '@playwright/test';
import { axeViolations, confirmByApi, expect, linkTo, subscribeByApi, test } from './support/newsletter';

/**
 * The manage page's "how often we write", as a reader uses it from the link in an email: without
 * JavaScript (a plain form post that comes back to the page) and with it (answered inline).
 */

const CONFIRM_SUBJECT = /^Confirm your subscription to /;
const WELCOME_SUBJECT = /^Welcome to /;

const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const inDays = (n: number) => isoDay(new Date(Date.now() + n * 86_400_000));

/** A confirmed subscriber; returns the manage link of their welcome email. */
async function manageLinkFor(request: Parameters<typeof subscribeByApi>[0], email: string, mailbox: { one: (to: string, s: RegExp) => Promise<Parameters<typeof linkTo>[0]> }) {
  await subscribeByApi(request, email);
  await confirmByApi(request, linkTo(await mailbox.one(email, CONFIRM_SUBJECT), '/newsletter/confirm'));
  return linkTo(await mailbox.one(email, WELCOME_SUBJECT), '/newsletter/manage');
}

const choice = (page: Page, name: RegExp) => page.getByRole('radio', { name });

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('choose the weekly digest, then a pause until a date; each post comes back to the page, saved', async ({ page, request, address, mailbox, db }) => {
    const email = address();
    await page.goto(await manageLinkFor(request, email, mailbox));
    await expect(choice(page, /Every new article/)).toBeChecked();
    await expect(page.getByRole('main')).toContainText('You get an email for every new article.');

    await choice(page, /A weekly digest/).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page).toHaveURL(/\/newsletter\/manage\?token=[^&]+&saved=1$/);
    await expect(page.getByRole('main')).toContainText('Saved.');
    await expect(page.getByRole('main')).toContainText('You get one digest a week.');
    await expect(choice(page, /A weekly digest/)).toBeChecked();
    expect(await db.preference(email)).toEqual({ delivery: 'WEEKLY', pausedUntil: null });

    const until = inDays(14);
    await choice(page, /Pause for a while/).check();
    await page.getByLabel('Start again on').fill(until);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('main')).toContainText(`Paused: nothing until ${until}, then one digest a week again.`);
    expect(await db.preference(email)).toEqual({ delivery: 'WEEKLY', pausedUntil: until });
    // Unsubscribing is still the first button, one click away.
    await expect(page.getByRole('main').getByRole('button').first()).toHaveText('Unsubscribe');
  });

  test('a pause without a date comes back with a clear error and changes nothing', async ({ page, request, address, mailbox, db }) => {
    const email = address();
    await page.goto(await manageLinkFor(request, email, mailbox));
    await choice(page, /Pause for a while/).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page).toHaveURL(/error=pause-date-missing/);
    await expect(page.getByRole('main')).toContainText('Choose the date the emails should start again.');
    expect(await db.preference(email)).toEqual({ delivery: 'EVERY', pausedUntil: null });
  });
});

test('with JavaScript: the choice is saved in place, and a bad date is refused inline', async ({ page, request, address, mailbox, db }) => {
  const email = address();
  const manage = await manageLinkFor(request, email, mailbox);
  await page.goto(manage);
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Save' }) });
  // Wait for hydration, or the click would be the plain form post (the other path).
  await expect
    .poll(() => form.evaluate((el) => Object.keys(el).some((key) => key.startsWith('__reactProps$'))), { message: 'the preference form hydrated' })
    .toBe(true);
  // axe needs scripts in the page, so the page is checked here rather than in the tests without JavaScript.
  expect(await axeViolations(page)).toEqual([]);

  await choice(page, /A weekly digest/).check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(form).toContainText('Saved. You get one digest a week.');
  // The line saying what the reader gets follows the save, not only the status line.
  await expect(form.getByText('You get one digest a week.', { exact: true })).toBeVisible();
  await expect(page).toHaveURL(manage); // no navigation
  expect(await db.preference(email)).toEqual({ delivery: 'WEEKLY', pausedUntil: null });

  // A date the browser lets through but the server refuses (the date input's own bounds are skipped here).
  await choice(page, /Pause for a while/).check();
  await page.getByLabel('Start again on').evaluate((input: HTMLInputElement) => {
    input.removeAttribute('max');
    input.value = new Date(Date.now() + 800 * 86_400_000).toISOString().slice(0, 10);
  });
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(form).toContainText('A pause can last up to a year');
  expect(await db.preference(email)).toEqual({ delivery: 'WEEKLY', pausedUntil: null });

  await choice(page, /Every new article/).check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(form).toContainText('Saved. You get an email for every new article.');
  expect(await db.preference(email)).toEqual({ delivery: 'EVERY', pausedUntil: null });
});
