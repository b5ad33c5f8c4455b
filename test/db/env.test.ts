import { describe, expect, it } from 'vitest';
import { newsletterConfigProblems, newsletterSecret, parseEnv, unsetReason } from '@/lib/env';

// Shaped like what the documented commands generate (openssl rand -base64 32; a Resend key).
const SECRET = 'T1mZ8qR2vK9xW4nB7cY3dF6gH0jL5pS8aE2uQ1wI';
const API_KEY = 're_Hk29fLm3_Qz7XvB1nR8wT4yC6pD0sJ5g';

describe('parseEnv', () => {
  it('gives defaults for an empty environment and reports nothing', () => {
    const { env, issues } = parseEnv({});
    expect(issues).toEqual([]);
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      SITE_URL: 'http://localhost:3000',
      NEWSLETTER_ENABLED: true,
      DATABASE_URL: undefined,
      NEWSLETTER_SECRET: undefined,
    });
  });

  it('reads valid values, treating empty strings as unset', () => {
    const { env, issues } = parseEnv({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://app:pw@db.internal:5432/app?sslmode=require',
      SITE_URL: 'https://example.com/',
      NEWSLETTER_ENABLED: 'false',
      NEWSLETTER_SECRET: SECRET,
      RESEND_API_KEY: ` ${API_KEY} `,
      EMAIL_FROM: '',
    });
    expect(issues).toEqual([]);
    expect(env.DATABASE_URL).toBe('postgres://app:pw@db.internal:5432/app?sslmode=require');
    expect(env.SITE_URL).toBe('https://example.com');
    expect(env.NEWSLETTER_ENABLED).toBe(false);
    expect(env.RESEND_API_KEY).toBe(API_KEY);
    expect(env.EMAIL_FROM).toBeUndefined();
  });

  it('never throws: each invalid variable is reported and read as unset or default', () => {
    const { env, issues } = parseEnv({
      DATABASE_URL: 'mysql://nope',
      SITE_URL: 'ftp://example.com',
      NEWSLETTER_SECRET: 'short',
      NODE_ENV: 'staging',
      RESEND_API_KEY: 're_ok',
    });
    expect(issues.map((issue) => issue.name).sort()).toEqual(['DATABASE_URL', 'NEWSLETTER_SECRET', 'NODE_ENV', 'SITE_URL']);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.SITE_URL).toBe('http://localhost:3000');
    expect(env.NEWSLETTER_SECRET).toBeUndefined();
    expect(env.NODE_ENV).toBe('development');
    expect(env.RESEND_API_KEY).toBe('re_ok');
  });
});

describe('newsletterConfigProblems', () => {
  it('asks nothing of development', () => {
    const { env, issues } = parseEnv({});
    expect(newsletterConfigProblems(env, issues)).toEqual([]);
  });

  it('lists what production is missing', () => {
    const { env, issues } = parseEnv({ NODE_ENV: 'production', RESEND_API_KEY: API_KEY });
    expect(newsletterConfigProblems(env, issues)).toEqual([
      'DATABASE_URL is not set',
      'NEWSLETTER_SECRET is not set',
      'EMAIL_FROM is not set',
    ]);
  });

  it('reports an invalid value as invalid, not as missing', () => {
    const { env, issues } = parseEnv({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgresql://db/app',
      NEWSLETTER_SECRET: 'too-short',
      RESEND_API_KEY: API_KEY,
      EMAIL_FROM: 'News <news@example.com>',
    });
    expect(newsletterConfigProblems(env, issues)).toEqual(['NEWSLETTER_SECRET is invalid: at least 32 characters']);
  });

  it('is ready in production when everything is set, and off when switched off', () => {
    const complete = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgresql://db/app',
      NEWSLETTER_SECRET: SECRET,
      RESEND_API_KEY: API_KEY,
      EMAIL_FROM: 'News <news@example.com>',
    };
    const ready = parseEnv(complete);
    expect(newsletterConfigProblems(ready.env, ready.issues)).toEqual([]);
    const off = parseEnv({ ...complete, NEWSLETTER_ENABLED: '0' });
    expect(newsletterConfigProblems(off.env, off.issues)).toEqual(['NEWSLETTER_ENABLED is false']);
  });
});

describe('newsletterSecret', () => {
  it('uses NEWSLETTER_SECRET, falls back outside production, refuses to in production', () => {
    expect(newsletterSecret(parseEnv({ NEWSLETTER_SECRET: SECRET }).env)).toBe(SECRET);
    expect(newsletterSecret(parseEnv({}).env).length).toBeGreaterThanOrEqual(32);
    expect(() => newsletterSecret(parseEnv({ NODE_ENV: 'production' }).env)).toThrow(/NEWSLETTER_SECRET/);
  });
});

describe('production secrets', () => {
  const production = {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgresql://app:s3cr3t-Pw@db.internal:5432/app',
    NEWSLETTER_SECRET: SECRET,
    RESEND_API_KEY: API_KEY,
    EMAIL_FROM: 'News <news@example.com>',
    CRON_SECRET: 'b4Xk9Qm2Zr7Lw1Vt8Ny3Pc6H',
  };

  it('refuses a placeholder or a guessable value as if it were unset, naming the variable', () => {
    for (const [name, value] of [
      ['NEWSLETTER_SECRET', 'REPLACE-with-at-least-32-random-characters'],
      ['NEWSLETTER_SECRET', 'changeme-changeme-changeme-changeme'],
      ['NEWSLETTER_SECRET', 'a'.repeat(40)],
      ['NEWSLETTER_SECRET', 'abcdefghijklmnopqrstuvwxyz0123456789'],
      ['RESEND_API_KEY', 're_REPLACE_ME'],
      ['CRON_SECRET', 'REPLACE-with-16-plus-chars'],
      ['CRON_SECRET', '1111111111111111'],
      ['RESEND_WEBHOOK_SECRET', `whsec_${Buffer.from('REPLACE-with-the-real-signing-secret').toString('base64')}`],
      ['DATABASE_URL', 'postgresql://USER:PASSWORD@HOST:5432/DB?sslmode=require'],
    ] as const) {
      const { env, issues } = parseEnv({ ...production, [name]: value });
      expect(env[name], `${name}=${value}`).toBeUndefined();
      expect(issues.map((issue) => issue.name), `${name}=${value}`).toEqual([name]);
      expect(unsetReason(name, issues)).toMatch(new RegExp(`^${name} is invalid: is (a placeholder|too easy to guess|the example placeholder)`));
    }
    const { env, issues } = parseEnv({ ...production, NEWSLETTER_SECRET: 'REPLACE-with-at-least-32-random-characters' });
    expect(newsletterConfigProblems(env, issues)).toEqual([expect.stringMatching(/^NEWSLETTER_SECRET is invalid: is a placeholder value/)]);
  });

  it('accepts generated secrets, and leaves development alone', () => {
    expect(parseEnv(production).issues).toEqual([]);
    const hex = parseEnv({ ...production, NEWSLETTER_SECRET: '9f86d081884c7d659a2feaa0c55ad015', CRON_SECRET: 'a3f91c07e25b6d48' });
    expect(hex.issues).toEqual([]);
    const development = parseEnv({ NEWSLETTER_SECRET: 'REPLACE-with-at-least-32-random-characters' });
    expect(development.issues).toEqual([]);
  });
});
