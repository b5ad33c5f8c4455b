import { log as rootLog, type Logger } from '../log';

/** Announcements' logger: lib/log.ts (redacted, one JSON line in production) with component=announce. Ids only, never addresses. */
export const log: Logger = rootLog.child({ component: 'announce' });
