import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEmailConfig, type EmailConfig } from '../../lib/email/config';
import { parseEnv } from '../../lib/env';
import { DevMailboxTransport } from '../../lib/email/dev-mailbox';
import { emailConfigProblem, getEmailTransport } from '../../lib/email/index';
import { startFakeResend, type FakeResend } from '../../testing/fake-resend/server';

function config(overrides: Partial<EmailConfig>): EmailConfig {
  return {
    resendApiKey: undefined,
    resendBaseUrl: undefined,
    emailFrom: undefined,
    production: false,
    mailboxDir: '/tmp/unused-mailbox',
    ...overrides,
  };
}

describe('readEmailConfig', () => {
  it('reads lib/env.ts, where blank values are unset', () => {
    const read = readEmailConfig(parseEnv({ NODE_ENV: 'production', RESEND_API_KEY: '  ', EMAIL_FROM: 'news@example.com' }).env);
    expect(read).toMatchObject({ production: true, resendApiKey: undefined, emailFrom: 'news@example.com' });
  });
});

describe('getEmailTransport / emailConfigProblem', () => {
  let fake: FakeResend;
  beforeAll(async () => {
    fake = await startFakeResend();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('uses Resend when RESEND_API_KEY and EMAIL_FROM are set', async () => {
    const settings = config({ resendApiKey: 're_x', emailFrom: 'news@example.com', resendBaseUrl: fake.url, production: true });
    const transport = getEmailTransport(settings);
    expect(emailConfigProblem(settings)).toBeNull();
    const result = await transport!.send(
      { to: 'a@example.com', subject: 'Hi', html: '<p>Hi</p>', text: 'Hi', headers: {} },
      { idempotencyKey: 'index-1' },
    );
    expect(result.ok).toBe(true);
    expect(fake.deliveries()).toHaveLength(1);
    expect(getEmailTransport(settings)).toBe(transport); // one breaker per process
  });

  it('uses the dev mailbox outside production when Resend is not configured', () => {
    const settings = config({ emailFrom: 'news@example.com' });
    expect(getEmailTransport(settings)).toBeInstanceOf(DevMailboxTransport);
    expect(emailConfigProblem(settings)).toBeNull();
  });

  it('returns null in production without settings and names what is missing', () => {
    expect(getEmailTransport(config({ production: true }))).toBeNull();
    expect(emailConfigProblem(config({ production: true }))).toBe('RESEND_API_KEY and EMAIL_FROM are not set');
    expect(emailConfigProblem(config({ production: true, emailFrom: 'news@example.com' }))).toBe('RESEND_API_KEY is not set');
    expect(emailConfigProblem(config({ production: true, resendApiKey: 're_x' }))).toBe('EMAIL_FROM is not set');
    expect(getEmailTransport(config({ production: true, resendApiKey: 're_x' }))).toBeNull();
  });
});
