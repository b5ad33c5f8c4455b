import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** Who holds a claim (stored in claimed_by): host:pid:random, so a log line and a row name the same process. */
export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}
