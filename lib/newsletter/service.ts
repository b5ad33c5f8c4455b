/**
 * The newsletter's state changes, in one import for routes and pages: subscribe (double opt-in),
 * confirm, the manage link (unsubscribe, preferences, data links), export and delete. Server-only. Every email
 * is an outbox row written in the same transaction as the change that causes it, and sent right
 * after the commit (immediate.ts) or later by the worker.
 *
 * Errors: InvalidSubscriptionError, RateLimitedError, NewsletterUnavailableError ('database' when
 * Postgres cannot be reached, 'not-configured' when a variable is missing; both logged with the
 * real reason). Anything else is a bug and propagates.
 */
export type { ServiceOptions } from './service-context';
export { CONFIRMATION_RESEND_INTERVAL_MS, subscribe } from './subscribe';
export { confirmSubscription, inspectConfirmationToken, type ConfirmStatus } from './confirm';
export { inspectManageToken, requestDataLink, unsubscribe, type DataPurpose, type ManageTokenState } from './manage';
export { setPreference, type PreferenceView, type SetPreferenceResult } from './preferences';
export {
  deleteSubscriberData,
  exportSubscriberData,
  inspectDataLink,
  type DataLinkRefusal,
  type DataLinkState,
  type SubscriberDataExport,
} from './subscriber-data';
