import { log as rootLog, type Logger } from '../log';

/** The outbox's logger: lib/log.ts (redacted, one JSON line in production) with component=outbox. Ids only, never addresses. */
export const log: Logger = rootLog.child({ component: 'outbox' });
