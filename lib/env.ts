import 'server-only';
import { parseEnv, type Env, type EnvIssue, type EnvName } from './env-schema';

/**
 * Every environment variable, validated once (lib/env-schema.ts) when this module is first
 * imported; nothing else in the app reads process.env.
 *
 * Importing this module never throws: a page that needs no database or email must keep building
 * and serving when the newsletter is not configured. A variable that is present but invalid is
 * dropped (it reads as unset, or as its default) and reported in `envIssues`, and
 * `newsletterConfigProblems()` lists what the newsletter still needs. Services call those and
 * answer 503 with the real reason in the log.
 */

export { envSchema, parseEnv, weakSecrets, type Env, type EnvIssue, type EnvName } from './env-schema';

const parsed = parseEnv(process.env);

/** The validated environment, read once when this module is first imported. */
export const env: Readonly<Env> = Object.freeze(parsed.env);

/** Variables that were set but invalid (and are therefore treated as unset). */
export const envIssues: readonly EnvIssue[] = Object.freeze(parsed.issues);

/**
 * What the newsletter still needs before it can work, as human-readable lines (empty = ready).
 * In production the database, secret, Resend key and From address are required; in development
 * and tests only invalid values are reported, so a fresh clone runs with zero configuration
 * (the dev secret falls back, and the email layer may log instead of sending).
 */
export function newsletterConfigProblems(e: Env = env, issues: readonly EnvIssue[] = envIssues): string[] {
  if (!e.NEWSLETTER_ENABLED) return ['NEWSLETTER_ENABLED is false'];
  const problems = issues
    .filter((issue) => ['DATABASE_URL', 'NEWSLETTER_SECRET', 'RESEND_API_KEY', 'RESEND_BASE_URL', 'EMAIL_FROM', 'SITE_URL'].includes(issue.name))
    .map((issue) => `${issue.name} is invalid: ${issue.message}`);
  if (e.NODE_ENV === 'production') {
    const required: EnvName[] = ['DATABASE_URL', 'NEWSLETTER_SECRET', 'RESEND_API_KEY', 'EMAIL_FROM'];
    for (const name of required) {
      if (e[name] === undefined && !issues.some((issue) => issue.name === name)) problems.push(`${name} is not set`);
    }
  }
  return problems;
}

// Only ever used outside production; newsletterSecret() refuses it in production.
const DEVELOPMENT_NEWSLETTER_SECRET = 'development-only-newsletter-secret-do-not-use-in-production';

/**
 * The key for HMACs (unsubscribe links, token hashing). Outside production a fixed development
 * key stands in when NEWSLETTER_SECRET is unset; in production a missing key throws, and callers
 * are expected to have checked `newsletterConfigProblems()` first.
 */
export function newsletterSecret(e: Env = env): string {
  if (e.NEWSLETTER_SECRET) return e.NEWSLETTER_SECRET;
  if (e.NODE_ENV === 'production') throw new Error('NEWSLETTER_SECRET is not set (at least 32 characters)');
  return DEVELOPMENT_NEWSLETTER_SECRET;
}

/** Why an optional variable reads as unset, for the log line of a route that answers 503 without it. */
export function unsetReason(name: EnvName, issues: readonly EnvIssue[] = envIssues): string {
  const issue = issues.find((candidate) => candidate.name === name);
  return issue ? `${name} is invalid: ${issue.message}` : `${name} is not set`;
}
