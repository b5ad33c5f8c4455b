import { log as rootLog, type Logger } from '../log';

/**
 * The newsletter's logger: the project's logger (lib/log.ts: one JSON line in production, emails,
 * token parameters, Bearer credentials and secret-named fields redacted in every line) with
 * `component: "newsletter"` on each line.
 *
 * Rule: no email address and no token ever reaches a log line. Callers log ids (subscriber,
 * outbox row) instead; lib/log.ts's redaction is the second line of defence (database errors can
 * quote the offending row, e.g. `Key (email)=(…) already exists`). Errors go in the `err` field:
 *   log.warn('database-unavailable', { operation, err });
 */
export const log: Logger = rootLog.child({ component: 'newsletter' });

/** Logs at most once per interval per key (lib/log.ts). */
export { logThrottled } from '../log';
