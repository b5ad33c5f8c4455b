/**
 * The newsletter's server log. Rule: no email address and no token ever reaches a log line.
 * Callers log ids (subscriber, outbox row) instead; as a second line of defence every line is
 * passed through `redact`, which masks anything shaped like an address and any `token=` value
 * (database errors can quote the offending row, e.g. `Key (email)=(…) already exists`).
 */

type Fields = Record<string, string | number | boolean | null | undefined>;

// No '/' on either side, so file paths such as node_modules/@prisma/client in a stack stay readable.
const EMAIL_LIKE = /[^\s@<>()"'`,;:=[\]/]+@[^\s@<>()"'`,;:=[\]/]+\.[^\s@<>()"'`,;:=[\]/]+/g;
const TOKEN_PARAM = /(token=)[^\s&"'<>]+/gi;

/** `reader@example.com` → `r***@example.com`; anything unparseable → `***`. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return '***';
  return `${address[0]}***${address.slice(at)}`;
}

export function redact(text: string): string {
  return text.replace(EMAIL_LIKE, (match) => maskEmail(match)).replace(TOKEN_PARAM, '$1[redacted]');
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const parts = [`${err.name}: ${err.message}`];
    if (typeof code === 'string') parts.push(`code=${code}`);
    if (err.cause !== undefined && err.cause !== err) parts.push(`cause=(${describeError(err.cause)})`);
    return parts.join(' ');
  }
  return String(err);
}

function format(event: string, fields: Fields = {}, err?: unknown): string {
  const pairs = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' && /\s/.test(value) ? JSON.stringify(value) : String(value)}`);
  const line = [`[newsletter] ${event}`, ...pairs].join(' ');
  return redact(err === undefined ? line : `${line} error=${JSON.stringify(describeError(err))}`);
}

export const log = {
  info(event: string, fields?: Fields): void {
    console.info(format(event, fields));
  },
  warn(event: string, fields?: Fields, err?: unknown): void {
    console.warn(format(event, fields, err));
  },
  /** Unexpected errors: the stack goes to the log (redacted), never to a response. */
  error(event: string, fields: Fields | undefined, err: unknown): void {
    console.error(format(event, fields, err));
    if (err instanceof Error && err.stack) console.error(redact(err.stack));
  },
};

const lastLogged = new Map<string, number>();

/** Logs at most once per `intervalMs` per key: a worker tick every few seconds must not flood the log. */
export function logThrottled(key: string, intervalMs: number, write: () => void, now: number = Date.now()): void {
  const last = lastLogged.get(key);
  if (last !== undefined && now - last < intervalMs) return;
  lastLogged.set(key, now);
  write();
}
