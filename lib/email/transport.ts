/**
 * What the rest of the app needs from an email provider, and nothing more. The outbox worker
 * decides what to do with a failure from `retryable` and `retryAfterMs` alone, so every
 * implementation must map its provider's errors onto this union instead of throwing.
 */
export type OutgoingEmail = {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Extra MIME headers, e.g. `unsubscribeHeaders(url)`. */
  headers: Record<string, string>;
};

export type SendSuccess = { ok: true; providerId: string };

export type SendFailure = {
  ok: false;
  /** True when the same message may succeed later (429, 5xx, network, timeout, open circuit). */
  retryable: boolean;
  /** The provider's own Retry-After, or the circuit breaker's remaining cool-down. */
  retryAfterMs?: number;
  /** For the server log; never shown to a reader. */
  error: string;
};

export type SendResult = SendSuccess | SendFailure;

export type SendOptions = {
  /**
   * Must be stable across retries of the same logical email (e.g. `confirm/<subscriberId>/<tokenId>`),
   * so a retry after a lost response never delivers twice.
   */
  idempotencyKey: string;
};

export interface EmailTransport {
  send(message: OutgoingEmail, opts: SendOptions): Promise<SendResult>;
}

/** All-or-nothing: either every message was accepted (ids in input order) or none was. */
export type BatchSendResult = { ok: true; providerIds: string[] } | SendFailure;

/** For the new-article announcement: up to 100 messages per call under one idempotency key. */
export interface BatchEmailTransport {
  sendBatch(messages: readonly OutgoingEmail[], opts: SendOptions): Promise<BatchSendResult>;
}

/** Whether a transport has the batch endpoint (Resend does; a transport for one email at a time need not). */
export function hasBatchEndpoint(transport: EmailTransport): transport is EmailTransport & BatchEmailTransport {
  return typeof (transport as Partial<BatchEmailTransport>).sendBatch === 'function';
}
