// Over 400 lines: one fake of Resend's HTTP API. Validation, idempotency keys, the rate limit and failure injection share one server's state (startFakeResend's closure), which a split would only pass around.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for api.resend.com (unreachable from CI): the real `resend` SDK is pointed at it
 * with RESEND_BASE_URL or `new Resend(key, { baseUrl })`. It implements what the SDK calls for
 * sending, in the shapes the SDK expects (resend 6.38 dist/index.mjs):
 *   POST /emails        body: one email (snake_case API fields)  → 200 { id }
 *   POST /emails/batch  body: array of emails, x-batch-validation → 200 { data: [{ id }] } (+ errors[] if permissive)
 * Errors are Resend's JSON shape `{ statusCode, name, message }`, which the SDK hands back verbatim as
 * `error`. Idempotency follows Resend's documented rules: same key + same body within 24 h replays the
 * first response without sending again; same key + different body → 409 invalid_idempotent_request;
 * same key while the first is still in flight → 409 concurrent_idempotent_requests.
 *
 * Control endpoints under /_fake/ let another process (e2e, fleet tests) drive a server started by
 * cli.ts; see connectFakeResend(). They are not recorded and not rate limited.
 */

export type FakeResendRequest = {
  method: string;
  path: string;
  /** Lower-cased names, as node:http gives them (e.g. `idempotency-key`, `authorization`). */
  headers: Record<string, string>;
  /** Parsed JSON, or the raw text when it was not JSON. */
  body: unknown;
  /** The status the fake answered (or will answer, if a delay is pending). */
  status: number;
  receivedAt: number;
  /** When the answer was written: receivedAt → answeredAt is the provider's own time, which a sender cannot see into. */
  answeredAt?: number;
};

export type FakeDelivery = {
  id: string;
  from: string;
  to: string[];
  subject: string;
  html: string | undefined;
  text: string | undefined;
  /** The email's own MIME headers (List-Unsubscribe, ...), from the request body. */
  headers: Record<string, string>;
  idempotencyKey: string | undefined;
  viaBatch: boolean;
  receivedAt: number;
};

export type FailureSpec = {
  status: number;
  retryAfterSeconds?: number;
  /** Resend error name; derived from the status when omitted. */
  name?: string;
  message?: string;
  /** Send this text instead of Resend's JSON (e.g. a proxy's HTML 502 page). */
  rawBody?: string;
};

export type FakeResendControls = {
  failNext(count: number, spec: FailureSpec): void;
  /** Wait this long before every answer (the email is accepted first, as a slow API would). */
  setDelay(ms: number): void;
  /** Answer 429 with retry-after beyond this many requests per second; null turns it off. */
  rateLimit(options: { requestsPerSecond: number } | null): void;
  /** Forget requests, deliveries, idempotency keys, failures, delay and rate limit. */
  reset(): void;
};

export type FakeResend = FakeResendControls & {
  url: string;
  requests(): FakeResendRequest[];
  /** Unique emails actually "sent": idempotent replays and rejected requests are not here. */
  deliveries(): FakeDelivery[];
  close(): Promise<void>;
};

export type FakeResendOptions = {
  port?: number;
  host?: string;
  /** When set, any other bearer token gets 403 invalid_api_key (a missing one always gets 401). */
  apiKey?: string;
  now?: () => number;
};

type Answer = { status: number; body: string; headers: Record<string, string>; /** idempotency slot to fill */ storeKey?: string };
type KeyEntry = { bodyHash: string; createdAt: number; answer: Answer | null };

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_BODY_BYTES = 40 * 1024 * 1024;
const BATCH_LIMIT = 100;
const RECIPIENT_LIMIT = 50;
const EMAIL_RE = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

const NAME_BY_STATUS: Record<number, string> = {
  400: 'validation_error',
  401: 'missing_api_key',
  403: 'invalid_api_key',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'concurrent_idempotent_requests',
  422: 'validation_error',
  429: 'rate_limit_exceeded',
  451: 'security_error',
};

function json(status: number, payload: unknown, headers: Record<string, string> = {}): Answer {
  return { status, body: JSON.stringify(payload), headers: { 'content-type': 'application/json', ...headers } };
}

function resendError(status: number, name: string, message: string, headers: Record<string, string> = {}): Answer {
  return json(status, { statusCode: status, name, message }, headers);
}

/** "Name <a@b.c>" or "a@b.c" → the address, or null. */
function addressOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /<([^<>]+)>\s*$/.exec(value);
  const address = (match?.[1] ?? value).trim();
  return EMAIL_RE.test(address) ? address : null;
}

type ParsedEmail = Omit<FakeDelivery, 'id' | 'idempotencyKey' | 'viaBatch' | 'receivedAt'>;

/** Resend's 422 checks, enough to tell a validation failure from a transient one. */
function validateEmail(raw: unknown): { ok: true; email: ParsedEmail } | { ok: false; name: string; message: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, name: 'validation_error', message: 'The email must be an object.' };
  }
  const body = raw as Record<string, unknown>;
  for (const field of ['from', 'to', 'subject'] as const) {
    if (body[field] === undefined || body[field] === null || body[field] === '') {
      return { ok: false, name: 'missing_required_field', message: `Missing \`${field}\` field.` };
    }
  }
  if (addressOf(body.from) === null) {
    return { ok: false, name: 'validation_error', message: 'Invalid `from` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.' };
  }
  const toList = Array.isArray(body.to) ? body.to : [body.to];
  if (toList.length === 0 || toList.length > RECIPIENT_LIMIT) {
    return { ok: false, name: 'validation_error', message: `The \`to\` field must have between 1 and ${RECIPIENT_LIMIT} recipients.` };
  }
  const to: string[] = [];
  for (const recipient of toList) {
    if (addressOf(recipient) === null) {
      return { ok: false, name: 'validation_error', message: `Invalid \`to\` field. The email address needs to follow the \`email@example.com\` or \`Name <email@example.com>\` format.` };
    }
    to.push(String(recipient));
  }
  if (typeof body.subject !== 'string') return { ok: false, name: 'validation_error', message: 'Invalid `subject` field.' };
  if (typeof body.html !== 'string' && typeof body.text !== 'string') {
    return { ok: false, name: 'missing_required_field', message: 'Missing `html` or `text` field.' };
  }
  const headers: Record<string, string> = {};
  if (body.headers !== undefined) {
    if (typeof body.headers !== 'object' || body.headers === null || Array.isArray(body.headers)) {
      return { ok: false, name: 'validation_error', message: 'Invalid `headers` field.' };
    }
    for (const [name, value] of Object.entries(body.headers)) {
      if (typeof value !== 'string') return { ok: false, name: 'validation_error', message: `Invalid header \`${name}\`.` };
      headers[name] = value;
    }
  }
  return {
    ok: true,
    email: {
      from: String(body.from),
      to,
      subject: body.subject,
      html: typeof body.html === 'string' ? body.html : undefined,
      text: typeof body.text === 'string' ? body.text : undefined,
      headers,
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export async function startFakeResend(options: FakeResendOptions = {}): Promise<FakeResend> {
  const now = options.now ?? Date.now;
  let requestLog: FakeResendRequest[] = [];
  let deliveryLog: FakeDelivery[] = [];
  let keys = new Map<string, KeyEntry>();
  let failures: FailureSpec[] = [];
  let delayMs = 0;
  let limitPerSecond: number | null = null;
  let window: number[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const controls: FakeResendControls = {
    failNext(count, spec) {
      for (let i = 0; i < count; i += 1) failures.push({ ...spec });
    },
    setDelay(ms) {
      delayMs = Math.max(0, ms);
    },
    rateLimit(limit) {
      limitPerSecond = limit ? limit.requestsPerSecond : null;
      window = [];
    },
    reset() {
      requestLog = [];
      deliveryLog = [];
      keys = new Map();
      failures = [];
      delayMs = 0;
      limitPerSecond = null;
      window = [];
    },
  };

  function sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  function injectedFailure(spec: FailureSpec): Answer {
    const headers: Record<string, string> = {};
    if (spec.retryAfterSeconds !== undefined) headers['retry-after'] = String(spec.retryAfterSeconds);
    if (spec.rawBody !== undefined) {
      return { status: spec.status, body: spec.rawBody, headers: { 'content-type': 'text/html', ...headers } };
    }
    const name = spec.name ?? NAME_BY_STATUS[spec.status] ?? (spec.status >= 500 ? 'internal_server_error' : 'application_error');
    return resendError(spec.status, name, spec.message ?? `Injected failure (${spec.status}).`, headers);
  }

  /**
   * Sliding one-second window over accepted-for-processing requests, like Resend's per-team limit.
   * `t` is when the request arrived: a provider counts it then, not after its own body parsing
   * (which, for a 1 MB batch on a busy machine, would add this fake's own jitter to the window).
   */
  function rateLimited(t: number): Answer | null {
    if (limitPerSecond === null) return null;
    window = window.filter((at) => t - at < 1000);
    if (window.length >= limitPerSecond) {
      const oldest = window[0] ?? t;
      const resetSeconds = Math.max(1, Math.ceil((oldest + 1000 - t) / 1000));
      return resendError(429, 'rate_limit_exceeded', `Too many requests. You can only make ${limitPerSecond} requests per second.`, {
        'retry-after': String(resetSeconds),
        'ratelimit-limit': String(limitPerSecond),
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(resetSeconds),
      });
    }
    window.push(t);
    return null;
  }

  function deliver(emails: ParsedEmail[], idempotencyKey: string | undefined, viaBatch: boolean): string[] {
    return emails.map((email) => {
      const id = randomUUID();
      deliveryLog.push({ id, ...email, idempotencyKey, viaBatch, receivedAt: now() });
      return id;
    });
  }

  function handleSend(path: '/emails' | '/emails/batch', headers: Record<string, string>, body: unknown, rawBody: string): Answer {
    const key = headers['idempotency-key'];
    if (key !== undefined && (key.length === 0 || key.length > 256)) {
      return resendError(400, 'invalid_idempotency_key', 'The key must be between 1-256 chars.');
    }
    const storeKey = key === undefined ? undefined : `${path} ${key}`;
    const bodyHash = createHash('sha256').update(rawBody).digest('hex');
    if (storeKey !== undefined) {
      const entry = keys.get(storeKey);
      if (entry && now() - entry.createdAt < IDEMPOTENCY_TTL_MS) {
        if (entry.bodyHash !== bodyHash) {
          return resendError(409, 'invalid_idempotent_request', 'Same idempotency key used with a different request payload. Change your idempotency key or payload.');
        }
        if (entry.answer === null) {
          return resendError(409, 'concurrent_idempotent_requests', 'Same idempotency key used while original request is still in progress. Try the request again later.');
        }
        return entry.answer;
      }
    }

    let answer: Answer;
    if (path === '/emails') {
      const checked = validateEmail(body);
      if (!checked.ok) return resendError(422, checked.name, checked.message);
      const [id] = deliver([checked.email], key, false);
      answer = json(200, { id });
    } else {
      if (!Array.isArray(body) || body.length === 0 || body.length > BATCH_LIMIT) {
        return resendError(422, 'validation_error', `The batch must contain between 1 and ${BATCH_LIMIT} emails.`);
      }
      const permissive = headers['x-batch-validation'] === 'permissive';
      const checked = body.map(validateEmail);
      const errors = checked.flatMap((result, index) => (result.ok ? [] : [{ index, message: result.message }]));
      if (errors.length > 0 && !permissive) {
        const first = errors[0]!;
        return resendError(422, 'validation_error', `emails[${first.index}]: ${first.message}`);
      }
      const valid = checked.flatMap((result) => (result.ok ? [result.email] : []));
      const ids = deliver(valid, key, true);
      answer = json(200, permissive ? { data: ids.map((id) => ({ id })), errors } : { data: ids.map((id) => ({ id })) });
    }
    // Stored as "in flight" until the (possibly delayed) answer is written; see respond().
    if (storeKey !== undefined) keys.set(storeKey, { bodyHash, createdAt: now(), answer: null });
    return storeKey === undefined ? answer : { ...answer, storeKey };
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string, rawBody: string): Promise<void> {
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    let input: Record<string, unknown> = {};
    try {
      input = rawBody ? (JSON.parse(rawBody) as Record<string, unknown>) : {};
    } catch {
      return send(400, { error: 'invalid JSON' });
    }
    if (req.method === 'GET' && path === '/_fake/requests') return send(200, requestLog);
    if (req.method === 'GET' && path === '/_fake/deliveries') return send(200, deliveryLog);
    if (req.method === 'POST' && path === '/_fake/fail-next') {
      controls.failNext(Number(input.count ?? 1), input.spec as FailureSpec);
      return send(200, { ok: true });
    }
    if (req.method === 'POST' && path === '/_fake/delay') {
      controls.setDelay(Number(input.ms ?? 0));
      return send(200, { ok: true });
    }
    if (req.method === 'POST' && path === '/_fake/rate-limit') {
      controls.rateLimit(input.requestsPerSecond == null ? null : { requestsPerSecond: Number(input.requestsPerSecond) });
      return send(200, { ok: true });
    }
    if (req.method === 'POST' && path === '/_fake/reset') {
      controls.reset();
      return send(200, { ok: true });
    }
    return send(404, { error: 'unknown control endpoint' });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedAt = now();
    const rawBody = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (path.startsWith('/_fake/')) return handleControl(req, res, path, rawBody ?? '');

    const headers = flatHeaders(req);
    let body: unknown = rawBody;
    let bodyIsJson = false;
    if (rawBody) {
      try {
        body = JSON.parse(rawBody);
        bodyIsJson = true;
      } catch {
        // kept as text in the log
      }
    }
    // Stamped on arrival, the moment the rate-limit window counts (rateLimited(arrivedAt) below).
    const record: FakeResendRequest = { method: req.method ?? 'GET', path, headers, body, status: 0, receivedAt: arrivedAt };
    requestLog.push(record);

    const answer = ((): Answer => {
      if (rawBody === null) return resendError(413, 'validation_error', 'Request body too large.');
      const auth = /^Bearer (.+)$/.exec(headers.authorization ?? '');
      if (!auth) return resendError(401, 'missing_api_key', 'Missing API key in the authorization header.');
      if (options.apiKey !== undefined && auth[1] !== options.apiKey) return resendError(403, 'invalid_api_key', 'API key is invalid.');
      if (path !== '/emails' && path !== '/emails/batch') return resendError(404, 'not_found', 'The requested endpoint does not exist.');
      if (req.method !== 'POST') return resendError(405, 'method_not_allowed', 'Method not allowed.');
      const failure = failures.shift();
      if (failure) return injectedFailure(failure);
      const limited = rateLimited(arrivedAt);
      if (limited) return limited;
      if (!bodyIsJson) return resendError(422, 'validation_error', 'The request body is not valid JSON.');
      return handleSend(path, headers, body, rawBody);
    })();
    record.status = answer.status;

    const { storeKey, ...stored } = answer;
    await sleep(delayMs);
    if (storeKey !== undefined) {
      const entry = keys.get(storeKey);
      if (entry) entry.answer = stored;
    }
    record.answeredAt = now();
    if (res.destroyed) return; // the client gave up (timeout); the email was still accepted, as with Resend
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ statusCode: 500, name: 'internal_server_error', message: String(err) }));
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    requests: () => requestLog.map((request) => ({ ...request })),
    deliveries: () => deliveryLog.map((delivery) => ({ ...delivery })),
    ...controls,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Drives a fake started by cli.ts in another process, through its /_fake/ endpoints. */
export function connectFakeResend(url: string) {
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await fetch(new URL(path, url), {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`fake resend ${path}: ${response.status}`);
    return response.json() as Promise<unknown>;
  };
  return {
    url,
    requests: () => call('GET', '/_fake/requests') as Promise<FakeResendRequest[]>,
    deliveries: () => call('GET', '/_fake/deliveries') as Promise<FakeDelivery[]>,
    failNext: (count: number, spec: FailureSpec) => call('POST', '/_fake/fail-next', { count, spec }).then(() => undefined),
    setDelay: (ms: number) => call('POST', '/_fake/delay', { ms }).then(() => undefined),
    rateLimit: (limit: { requestsPerSecond: number } | null) =>
      call('POST', '/_fake/rate-limit', { requestsPerSecond: limit?.requestsPerSecond ?? null }).then(() => undefined),
    reset: () => call('POST', '/_fake/reset').then(() => undefined),
  };
}
