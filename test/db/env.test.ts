import { describe, expect, it } from 'vitest';
import { newsletterConfigProblems, newsletterSecret, parseEnv } from '@/lib/env';

const SECRET = 'x'.repeat(32);

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
      RESEND_API_KEY: ' re_123 ',
      EMAIL_FROM: '',
    });
    expect(issues).toEqual([]);
    expect(env.DATABASE_URL).toBe('postgres://app:pw@db.internal:5432/app?sslmode=require');
    expect(env.SITE_URL).toBe('https://example.com');
    expect(env.NEWSLETTER_ENABLED).toBe(false);
    expect(env.RESEND_API_KEY).toBe('re_123');
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
    const { env, issues } = parseEnv({ NODE_ENV: 'production', RESEND_API_KEY: 're_1' });
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
      RESEND_API_KEY: 're_1',
      EMAIL_FROM: 'News <news@example.com>',
    });
    expect(newsletterConfigProblems(env, issues)).toEqual(['NEWSLETTER_SECRET is invalid: at least 32 characters']);
  });

  it('is ready in production when everything is set, and off when switched off', () => {
    const complete = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgresql://db/app',
      NEWSLETTER_SECRET: SECRET,
      RESEND_API_KEY: 're_1',
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
