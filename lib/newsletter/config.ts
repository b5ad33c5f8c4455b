import 'server-only';
import { emailConfigProblem } from '../email';
import { newsletterConfigProblems, newsletterSecret } from '../env';
import { NewsletterUnavailableError } from './errors';
import { log, logThrottled } from './log';

/**
 * What the newsletter needs before it acts. Two levels, because unsubscribing must keep working
 * when sending is switched off or misconfigured:
 * - requireNewsletterReady(): subscribing, confirming and sending need everything (not switched
 *   off, in production DATABASE_URL, NEWSLETTER_SECRET, RESEND_API_KEY and EMAIL_FROM);
 * - requireNewsletterSecret(): links (unsubscribe, data export/delete) need only the secret.
 * Missing pieces throw NewsletterUnavailableError('not-configured'); the log names the variable.
 */

const CONFIG_LOG_INTERVAL_MS = 60_000;

function notConfigured(problems: string[]): NewsletterUnavailableError {
  const detail = problems.join('; ');
  logThrottled(`config:${detail}`, CONFIG_LOG_INTERVAL_MS, () => log.warn('not-configured', { problems: detail }));
  return new NewsletterUnavailableError('not-configured', { cause: new Error(detail) });
}

/** What is missing for subscribing and sending (empty: ready). */
export function newsletterReadinessProblems(): string[] {
  const problems = [...newsletterConfigProblems()];
  // The email layer's own check (production without Resend), unless env already named the variables.
  const email = emailConfigProblem();
  if (email && !problems.some((problem) => /RESEND_API_KEY|EMAIL_FROM/.test(problem))) problems.push(email);
  return problems;
}

export function requireNewsletterSecret(): string {
  try {
    return newsletterSecret();
  } catch {
    // In development and tests a fixed development-only key stands in (lib/env.ts); production refuses.
    throw notConfigured(['NEWSLETTER_SECRET is not set (at least 32 characters)']);
  }
}

export function requireNewsletterReady(): { secret: string } {
  const problems = newsletterReadinessProblems();
  if (problems.length > 0) throw notConfigured(problems);
  return { secret: requireNewsletterSecret() };
}
