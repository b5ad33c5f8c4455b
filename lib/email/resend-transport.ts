import { Resend } from 'resend';
import { parseRetryAfterMs } from './backoff';
import type {
  BatchEmailTransport,
  BatchSendResult,
  EmailTransport,
  OutgoingEmail,
  SendFailure,
  SendOptions,
  SendResult,
} from './transport';

export type ResendTransportOptions = {
  apiKey: string;
  /** The From header for every message, e.g. `"The Publication <news@example.com>"`. */
  from: string;
  /**
   * API origin. When omitted the SDK falls back to the RESEND_BASE_URL variable, then
   * https://api.resend.com (resend 6.38 dist/index.mjs, getDefaultBaseUrl).
   */
  baseUrl?: string;
  /** Per-call deadline; the request is aborted and reported as a retryable timeout. */
  timeoutMs?: number;
  /** Clock for HTTP-date Retry-After values. */
  now?: () => number;
};

export const DEFAULT_SEND_TIMEOUT_MS = 10_000;
/** Resend's documented maximum for POST /emails/batch. */
export const RESEND_BATCH_LIMIT = 100;

/** The SDK's error object (resend 6.38 `ErrorResponse`), loosened: it is the server's JSON as-is. */
type ResendError = { name?: string; message?: string; statusCode?: number | null };
type ResendHeaders = Record<string, string> | null;

// Resend answers these with 401/403: the key, not the message, is wrong. Retrying the message
// after the operator fixes the key is right; dropping every signup's email meanwhile is not.
const CONFIGURATION_ERRORS = new Set(['missing_api_key', 'invalid_api_key', 'restricted_api_key']);

// When the body lacks statusCode (it is whatever JSON the server sent), infer it from the name.
const STATUS_BY_NAME: Record<string, number> = {
  rate_limit_exceeded: 429,
  daily_quota_exceeded: 429,
  monthly_quota_exceeded: 429,
  internal_server_error: 500,
  concurrent_idempotent_requests: 409,
  invalid_idempotent_request: 409,
  validation_error: 422,
  missing_required_field: 422,
};

/**
 * Maps the SDK's `{ error, headers }` onto SendFailure. Facts this relies on, read from
 * node_modules/resend/dist/index.mjs (Resend#fetchRequest):
 * - the SDK never retries and never throws for HTTP errors: a non-2xx JSON body comes back verbatim
 *   as `error` (so `statusCode` is the body's, which Resend always sets) with the response headers
 *   lower-cased in `headers` (that is where `retry-after` is);
 * - a non-JSON error body becomes `{ name: 'application_error', statusCode: <HTTP status> }`;
 * - a network failure or an aborted signal is caught too and becomes
 *   `{ name: 'application_error', statusCode: null, message: 'Unable to fetch data...' }`, headers null.
 */
export function classifyResendError(
  error: ResendError,
  headers: ResendHeaders,
  ctx: { timedOut: boolean; timeoutMs: number; now?: number },
): SendFailure {
  const name = error.name ?? 'unknown_error';
  const message = error.message ?? '';
  if (ctx.timedOut) {
    return { ok: false, retryable: true, error: `timeout: no answer from Resend within ${ctx.timeoutMs}ms` };
  }
  const status = error.statusCode ?? STATUS_BY_NAME[name] ?? null;
  const describe = `Resend ${status ?? 'network'} ${name}: ${message}`.trim();
  if (status === null) {
    // No HTTP response at all: connection refused, DNS, reset. The SDK hides the cause.
    return { ok: false, retryable: true, error: describe };
  }
  if (status === 429) {
    const retryAfterMs =
      parseRetryAfterMs(headers?.['retry-after'], ctx.now) ??
      // Resend also sends the IETF draft header; `ratelimit-reset` is seconds until the window resets.
      parseRetryAfterMs(headers?.['ratelimit-reset'], ctx.now);
    return retryAfterMs === undefined
      ? { ok: false, retryable: true, error: describe }
      : { ok: false, retryable: true, retryAfterMs, error: describe };
  }
  if (status >= 500 || status === 408) return { ok: false, retryable: true, error: describe };
  // Another request with this idempotency key is still in flight; its outcome decides, so ask again later.
  if (name === 'concurrent_idempotent_requests') return { ok: false, retryable: true, error: describe };
  if (CONFIGURATION_ERRORS.has(name)) {
    return { ok: false, retryable: true, error: `${describe} (check RESEND_API_KEY)` };
  }
  // 400/403/404/409/422/451: this message will never be accepted as it is.
  return { ok: false, retryable: false, error: describe };
}

function failureFromThrown(err: unknown, timedOut: boolean, timeoutMs: number): SendFailure {
  if (timedOut) return { ok: false, retryable: true, error: `timeout: no answer from Resend within ${timeoutMs}ms` };
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { ok: false, retryable: true, error: `Resend client threw: ${message}` };
}

export class ResendTransport implements EmailTransport, BatchEmailTransport {
  readonly #client: Resend;
  readonly #from: string;
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(options: ResendTransportOptions) {
    if (!options.apiKey) throw new Error('ResendTransport needs an API key');
    if (!options.from) throw new Error('ResendTransport needs a From address');
    this.#client = new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl } : undefined);
    this.#from = options.from;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    this.#now = options.now ?? Date.now;
  }

  async send(message: OutgoingEmail, { idempotencyKey }: SendOptions): Promise<SendResult> {
    // The SDK passes RequestOptions.signal straight to fetch, so the deadline covers the whole exchange.
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      const { data, error, headers } = await this.#client.emails.send(
        { ...message, from: this.#from },
        { idempotencyKey, signal },
      );
      if (error) {
        return classifyResendError(error, headers, { timedOut: signal.aborted, timeoutMs: this.#timeoutMs, now: this.#now() });
      }
      if (!data?.id) return { ok: false, retryable: true, error: 'Resend answered 2xx without an email id' };
      return { ok: true, providerId: data.id };
    } catch (err) {
      // The SDK catches fetch failures itself; this only guards against a future version that throws.
      return failureFromThrown(err, signal.aborted, this.#timeoutMs);
    }
  }

  /**
   * Up to 100 messages in one request (for the new-article announcement). All-or-nothing: the SDK's
   * default `x-batch-validation: strict` makes Resend reject the whole batch if one message is invalid.
   * One idempotency key covers the whole batch, so derive it from the batch's contents/position.
   */
  async sendBatch(messages: readonly OutgoingEmail[], { idempotencyKey }: SendOptions): Promise<BatchSendResult> {
    if (messages.length === 0) return { ok: true, providerIds: [] };
    if (messages.length > RESEND_BATCH_LIMIT) {
      throw new RangeError(`a Resend batch holds at most ${RESEND_BATCH_LIMIT} emails, got ${messages.length}`);
    }
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      const { data, error, headers } = await this.#client.batch.send(
        messages.map((message) => ({ ...message, from: this.#from })),
        { idempotencyKey, signal },
      );
      if (error) {
        return classifyResendError(error, headers, { timedOut: signal.aborted, timeoutMs: this.#timeoutMs, now: this.#now() });
      }
      const ids = data?.data?.map((item) => item.id) ?? [];
      if (ids.length !== messages.length) {
        // Not retryable: the same key would replay this same answer. Only 'permissive' mode (unused) does this.
        return { ok: false, retryable: false, error: `Resend accepted ${ids.length} of ${messages.length} batch emails` };
      }
      return { ok: true, providerIds: ids };
    } catch (err) {
      return failureFromThrown(err, signal.aborted, this.#timeoutMs);
    }
  }
}
