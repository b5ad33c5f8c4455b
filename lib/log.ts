/**
 * Structured logs: one JSON object per line in production (what a log collector parses), one
 * readable line in development and tests.
 *
 *   log.info('subscriber confirmed', { subscriberId });
 *   const requestLog = requestLogger(request);        // carries the request's x-request-id
 *   requestLog.error('confirmation email failed', { err });
 *
 * Every line goes through `redact` first: anything that looks like an email address is masked,
 * token-like query parameters and Bearer credentials are masked inside strings, and fields whose
 * name says token / secret / password / authorization (or cookie, api key) are dropped. So a
 * careless `log.info('…', { email, token })` still writes neither. Written by hand rather than
 * with pino because the whole of it is this file, it runs unchanged in every Next.js runtime
 * (proxy, route handlers, instrumentation), and the redaction rules are ours to test.
 */

import { env } from './env';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` (say, `{ requestId }`) to every line. */
  child(fields: LogFields): Logger;
}

export type LogFormat = 'json' | 'pretty';

export type LogRecord = { time: string; level: LogLevel; msg: string; requestId?: string } & LogFields;

export type LoggerOptions = {
  /** Default: json when NODE_ENV is "production", pretty otherwise. */
  format?: LogFormat;
  /** Lines below this level are skipped. Default: debug outside production, info in it. */
  level?: LogLevel;
  /** Where a finished line goes. Default: stdout for debug/info, stderr for warn/error. */
  write?: (line: string, level: LogLevel) => void;
  /** Default: new Date(). */
  now?: () => Date;
};

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const REQUEST_ID_HEADER = 'x-request-id';

// ---------------------------------------------------------------------------------------------
// Redaction

// Deliberately generous: a false positive costs a masked word, a false negative leaks an address.
const EMAIL = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+/g;
// token=…, secret=…, password=… in URLs and form bodies (also percent-encoded values).
const SECRET_PARAM = /([?&;\s]|^)((?:[a-z_]*token|[a-z_]*secret|password|passwd|api[_-]?key|signature|sig)=)[^&\s"'#]+/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
// scheme://user:password@host → the password goes (a DATABASE_URL in an error message).
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s/@]*@/gi;
// Field names that are dropped with their value, wherever they occur in the object tree.
const SECRET_KEY = /token|secret|passw(or)?d|authorization|cookie|api[_-]?key/i;

export const EMAIL_MASK = '[email]';
const MAX_DEPTH = 6;

/** Masks email addresses, URL passwords, secret query parameters and Bearer/Basic credentials. */
export function redactString(value: string): string {
  return value
    .replace(URL_PASSWORD, '$1:[redacted]@')
    .replace(EMAIL, EMAIL_MASK)
    .replace(SECRET_PARAM, (_match, lead: string, name: string) => `${lead}${name}[redacted]`)
    .replace(BEARER, (_match, scheme: string) => `${scheme} [redacted]`);
}

/** True for a field name whose value must never be logged. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * A copy of `value` safe to log: strings redacted, secret-named fields dropped, errors turned
 * into plain objects (name, message, code, stack, cause), cycles and deep nesting cut short.
 */
export function redact(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'symbol' || typeof value === 'function') return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof URL) return redactString(value.toString());
  if (typeof value !== 'object') return undefined;

  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[truncated]';
  seen.add(value);
  try {
    if (value instanceof Error) return redactError(value, depth, seen);
    if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen));
    if (value instanceof Map) return redact(Object.fromEntries(value), depth, seen);
    if (value instanceof Set) return redact([...value], depth, seen);
    if (typeof Headers !== 'undefined' && value instanceof Headers) return redact(Object.fromEntries(value), depth, seen);
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (isSecretKey(key)) continue;
      const cleaned = redact(inner, depth + 1, seen);
      if (cleaned !== undefined) out[key] = cleaned;
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function redactError(err: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: redactString(err.message) };
  const { code } = err as { code?: unknown };
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (err.stack) out.stack = redactString(err.stack);
  if (err.cause !== undefined) out.cause = redact(err.cause, depth + 1, seen);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Formatting

function defaultFormat(): LogFormat {
  return env.NODE_ENV === 'production' ? 'json' : 'pretty';
}

function defaultLevel(): LogLevel {
  return env.NODE_ENV === 'production' ? 'info' : 'debug';
}

function defaultWrite(line: string, level: LogLevel): void {
  // process.stdout exists in every runtime this app uses (Node.js, including proxy.ts in Next 16);
  // console is the fallback should a file ever run somewhere without it.
  const stream = typeof process !== 'undefined' ? (level === 'warn' || level === 'error' ? process.stderr : process.stdout) : undefined;
  if (stream?.write) stream.write(`${line}\n`);
  else if (level === 'warn' || level === 'error') console.error(line);
  else console.log(line);
}

/** The record a call produces: fixed keys first, then the (redacted) fields. */
export function buildRecord(level: LogLevel, msg: string, fields: LogFields, now: Date): LogRecord {
  const cleaned = (redact(fields) ?? {}) as LogFields;
  const { time: _time, level: _level, msg: _msg, requestId, ...rest } = cleaned;
  const record: LogRecord = { time: now.toISOString(), level, msg: redactString(msg) };
  if (typeof requestId === 'string' && requestId) record.requestId = requestId;
  return Object.assign(record, rest);
}

function formatPretty(record: LogRecord): string {
  const { time, level, msg, requestId, ...rest } = record;
  const parts = [time.slice(11, 23), level.toUpperCase().padEnd(5), msg];
  if (requestId) parts.push(`requestId=${requestId}`);
  for (const [key, value] of Object.entries(rest)) {
    parts.push(`${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`);
  }
  // Single line even when a stack is in the fields: the JSON encoding escapes its newlines.
  return parts.join(' ');
}

export function formatRecord(record: LogRecord, format: LogFormat): string {
  return format === 'json' ? JSON.stringify(record) : formatPretty(record);
}

export function createLogger(options: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    const threshold = options.level ?? defaultLevel();
    if (LEVELS[level] < LEVELS[threshold]) return;
    try {
      const record = buildRecord(level, msg, { ...bound, ...fields }, (options.now ?? (() => new Date()))());
      (options.write ?? defaultWrite)(formatRecord(record, options.format ?? defaultFormat()), level);
    } catch {
      // A log call must never take a request down with it.
    }
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

/** The process-wide logger. */
export const log: Logger = createLogger();

// ---------------------------------------------------------------------------------------------
// Request ids

// What we accept from a client or balancer as a request id: short and inert in a log line.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function isValidRequestId(value: string | null | undefined): value is string {
  return typeof value === 'string' && REQUEST_ID.test(value);
}

export function newRequestId(): string {
  return crypto.randomUUID();
}

/** The request's id as proxy.ts set it (or as the balancer sent it), if there is a valid one. */
export function requestIdOf(source: Request | Headers): string | undefined {
  const headers = source instanceof Headers ? source : source.headers;
  const value = headers.get(REQUEST_ID_HEADER);
  return isValidRequestId(value) ? value : undefined;
}

/**
 * The id of a request the proxy does not run for (proxy.ts's matcher says which): the caller's
 * when it is sane, else a new one, as proxy.ts would have chosen.
 */
export function requestIdFor(request: Request): string {
  return requestIdOf(request) ?? newRequestId();
}

/** A child of `log` whose lines carry the request's id. */
export function requestLogger(source: Request | Headers, fields: LogFields = {}): Logger {
  const requestId = requestIdOf(source);
  return log.child(requestId ? { requestId, ...fields } : fields);
}

const lastLogged = new Map<string, number>();

/** Logs at most once per `intervalMs` per key: a worker tick every few seconds must not flood the log. */
export function logThrottled(key: string, intervalMs: number, write: () => void, now: number = Date.now()): void {
  const last = lastLogged.get(key);
  if (last !== undefined && now - last < intervalMs) return;
  lastLogged.set(key, now);
  write();
}
