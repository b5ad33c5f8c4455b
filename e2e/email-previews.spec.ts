import path from 'node:path';
import { expect, test } from '@playwright/test';
import { EMAIL_PREVIEWS } from '../lib/email-previews';
import { waitForHttp } from '../testing/http';
import { freePort } from '../testing/ports';
import { startProcess, type Child } from '../testing/processes';

/**
 * /dev/emails exists only in development, so this spec starts `next dev` of its own (Next 16 keeps
 * its files under .next/dev, apart from the build the other specs serve) and checks that the page
 * renders every template of the registry, in light and dark, with its plain text and its passing
 * checks. The production build the other specs use must answer 404 for it.
 */

test('production answers 404 for the email previews, as for the mailbox', async ({ request }) => {
  for (const url of ['/dev/emails', '/dev/mailbox']) {
    expect((await request.get(url)).status(), url).toBe(404);
  }
});

test.describe('in development', () => {
  // A dev server compiles the page on first request: slow on a busy 2-core machine.
  test.describe.configure({ timeout: 300_000 });
  let dev: Child | undefined;
  let origin = '';

  test.beforeAll(async () => {
    test.setTimeout(300_000);
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    // No database: the page needs none, and the dev server must not migrate or start workers.
    const dropped = new Set(['DATABASE_URL', 'NODE_OPTIONS']);
    const env: NodeJS.ProcessEnv = {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !dropped.has(name))),
      NODE_ENV: 'development',
      NEXT_TELEMETRY_DISABLED: '1',
    };
    dev = startProcess('next dev', path.join(process.cwd(), 'node_modules', '.bin', 'next'), ['dev', '--hostname', '127.0.0.1', '--port', String(port)], {
      env,
      group: true,
    });
    await waitForHttp(`${origin}/dev/emails`, { process: dev, timeoutMs: 240_000, requestTimeoutMs: 200_000, everyMs: 1_000 });
  });

  test.afterAll(async () => {
    await dev?.stop(10_000);
  });

  test('the previews page renders each template in light and dark beside its plain text, every check passing', async ({ page }) => {
    await page.goto(`${origin}/dev/emails`);
    await expect(page.getByRole('heading', { level: 1, name: 'Email previews' })).toBeVisible();
    await expect(page.getByRole('status')).toHaveText(`${EMAIL_PREVIEWS.length} templates; every check passes.`);
    for (const entry of EMAIL_PREVIEWS) {
      const section = page.locator(`section[data-template="${entry.id}"]`);
      await expect(section.getByRole('heading', { level: 2, name: entry.name })).toBeVisible();
      await expect(section.locator('[data-check="fail"]')).toHaveCount(0);
      await expect(section.locator('[data-check="pass"]')).toHaveCount(4);
      await expect(section.locator('[data-part="text"]')).toContainText('unsubscribe');
      const subject = (await section.locator('[data-subject]').textContent())!.trim();
      expect(subject.length, entry.id).toBeGreaterThan(0);
      for (const scheme of ['light', 'dark']) {
        const frame = section.frameLocator(`iframe[data-scheme="${scheme}"]`);
        // The email's own body rendered inside the frame: its unsubscribe link is there.
        await expect(frame.getByRole('link', { name: 'Unsubscribe', exact: true })).toBeVisible();
      }
      await expect(section.locator('iframe[data-scheme="dark"]')).toHaveCSS('filter', 'invert(1) hue-rotate(180deg)');
    }
  });
});
