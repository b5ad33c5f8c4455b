import { absoluteUrl } from '../site';

/** Every newsletter URL in one place: the pages (UI) and the API routes they post to. */
export const newsletterPaths = {
  confirmPage: '/newsletter/confirm',
  confirmed: '/newsletter/confirmed',
  checkInbox: '/newsletter/check-inbox',
  error: '/newsletter/error',
  /** Older emails link here; it forwards to the manage page. */
  unsubscribePage: '/newsletter/unsubscribe',
  unsubscribed: '/newsletter/unsubscribed',
  /** Where the link in every email leads: unsubscribe, or ask for a data link. */
  managePage: '/newsletter/manage',
  /** Where a single-use data link leads (older welcome emails linked here with the manage token). */
  dataPage: '/newsletter/data',
  deleted: '/newsletter/deleted',
  api: {
    subscribe: '/api/newsletter/subscribe',
    confirm: '/api/newsletter/confirm',
    unsubscribe: '/api/newsletter/unsubscribe',
    /** Emails the subscriber a single-use export or delete link. */
    dataRequest: '/api/newsletter/data-request',
    /** Every article, a weekly digest, or a pause: the manage page's choice. */
    preferences: '/api/newsletter/preferences',
    /** Export or delete, with a single-use data link's token. */
    data: '/api/newsletter/data',
    outbox: '/api/newsletter/outbox',
  },
} as const;

export type SubscribeErrorReason = 'invalid-email' | 'rate-limited' | 'unavailable' | 'too-large';

/** `path?token=…` (plus extra query parameters), relative: for redirects within the site. */
export function withToken(path: string, token: string, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams({ token, ...extra });
  return `${path}?${query.toString()}`;
}

/** The confirmation email's link: a page whose button POSTs; a GET never confirms. */
export function confirmUrl(token: string): string {
  return absoluteUrl(withToken(newsletterPaths.confirmPage, token));
}

/**
 * The unsubscribe link of every email and its List-Unsubscribe header: the API route, which
 * unsubscribes on a one-click POST (RFC 8058) and redirects a GET to the page with one button.
 */
export function unsubscribeUrl(manageToken: string): string {
  return absoluteUrl(withToken(newsletterPaths.api.unsubscribe, manageToken));
}

/** The welcome email's link to the subscriber's page (unsubscribe, ask for a data link). */
export function manageUrl(manageToken: string): string {
  return absoluteUrl(withToken(newsletterPaths.managePage, manageToken));
}

/** A single-use data link's page (its button POSTs the export or the deletion). */
export function dataUrl(dataToken: string): string {
  return absoluteUrl(withToken(newsletterPaths.dataPage, dataToken));
}

export function subscribeErrorPath(reason: SubscribeErrorReason): string {
  return `${newsletterPaths.error}?reason=${reason}`;
}
