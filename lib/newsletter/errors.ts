/**
 * Domain errors of the newsletter service. Route handlers and pages map them to answers:
 * InvalidSubscriptionError → 400, RateLimitedError → 429 with Retry-After,
 * NewsletterUnavailableError → 503. Their messages are safe to show; the real reason (a missing
 * variable, the database error) is logged where they are thrown and kept in `cause`.
 */

export class InvalidSubscriptionError extends Error {
  readonly fieldErrors: Record<string, string[]>;
  constructor(fieldErrors: Record<string, string[]>) {
    super(Object.values(fieldErrors).flat()[0] ?? 'The request is not valid.');
    this.name = 'InvalidSubscriptionError';
    this.fieldErrors = fieldErrors;
  }
}

/** What a limit counted: the client's address, the inbox signed up, or the subscriber asking for data links. */
export type RateLimitScope = 'ip' | 'email' | 'subscriber';

export class RateLimitedError extends Error {
  readonly retryAfterSeconds: number;
  readonly scope: RateLimitScope;
  constructor(retryAfterSeconds: number, scope: RateLimitScope = 'ip') {
    super('Too many attempts. Please wait a few minutes and try again.');
    this.name = 'RateLimitedError';
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
    this.scope = scope;
  }
}

export type NewsletterUnavailableReason = 'database' | 'not-configured';

export class NewsletterUnavailableError extends Error {
  readonly reason: NewsletterUnavailableReason;
  constructor(reason: NewsletterUnavailableReason, options?: { cause?: unknown }) {
    super(
      reason === 'database'
        ? 'The newsletter is unavailable right now. Please try again in a few minutes.'
        : 'The newsletter is not available at the moment.',
      options,
    );
    this.name = 'NewsletterUnavailableError';
    this.reason = reason;
  }
}
