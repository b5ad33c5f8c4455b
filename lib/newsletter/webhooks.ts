import { Resend } from 'resend';
import { z } from 'zod';
import { getDb } from '../db';
import type { PrismaClient, SuppressionReason } from '../generated/prisma/client';
import type { ClientAddress } from '../http/client-address';
import { normalizeEmail } from '../validations/newsletter';
import { requireNewsletterSecret } from './config';
import { log } from './log';
import { countWebhookEvent } from '../metrics/registry';
import { enforceTokenRouteLimit, withDatabase } from './service-context';
import { suppressAddresses } from './suppression';

/**
 * Resend's webhooks (POST /api/webhooks/resend). Resend delivers them through Svix: each carries
 * `svix-id`, `svix-timestamp` and `svix-signature` headers, the signature being an HMAC-SHA256 of
 * `${id}.${timestamp}.${rawBody}` under the endpoint's signing secret (whsec_…). Svix retries a
 * delivery that did not get a 2xx, with the same svix-id, for about a day.
 *
 * - verifyResendWebhook: the signature, checked against the raw body with the resend SDK's own
 *   `webhooks.verify` (standardwebhooks underneath: constant-time comparison against every `v1,`
 *   signature in the header, timestamps more than 5 minutes old or ahead refused);
 * - parseResendEvent: the event's shape (zod);
 * - handleResendEvent: `email.bounced` with a permanent (hard) bounce and `email.complained`
 *   suppress every recipient; the svix-id is recorded in the same transaction, so a redelivery
 *   changes nothing. Every other type, and transient bounces, are acknowledged and ignored.
 */

/**
 * Counts a delivery against its sender's address (RateLimitedError past TOKEN_ROUTE_RATE_LIMITS.webhook;
 * Svix retries a 429). Checked before the signature, so a flood of forgeries is limited too.
 */
export async function limitWebhookSender(client: ClientAddress, options: { db?: PrismaClient } = {}): Promise<void> {
  const secret = requireNewsletterSecret();
  await withDatabase('webhook-limit', options, (db) => enforceTokenRouteLimit(db, 'webhook', { client }, secret));
}

/** Resend's event payloads are a few KB; anything far larger is not one of ours. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

export type SignatureHeaders = { id: string; timestamp: string; signature: string };

/**
 * The Svix headers. Resend sends the `svix-*` names; the Standard Webhooks spelling (`webhook-*`),
 * which the same scheme also uses, is accepted as well.
 */
export function signatureHeadersOf(headers: Headers): SignatureHeaders | null {
  const id = headers.get('svix-id') ?? headers.get('webhook-id');
  const timestamp = headers.get('svix-timestamp') ?? headers.get('webhook-timestamp');
  const signature = headers.get('svix-signature') ?? headers.get('webhook-signature');
  if (!id || !timestamp || !signature) return null;
  return { id, timestamp, signature };
}

export type VerifyResult =
  | { ok: true; svixId: string; payload: unknown }
  | { ok: false; reason: 'missing-headers' | 'bad-signature' | 'malformed-json' };

// Only its `webhooks.verify` is used, which never calls the API: the key just satisfies the constructor.
let verifier: Resend | undefined;

/**
 * Checks the signature of `rawBody` (the request body exactly as received: re-serialising parsed
 * JSON would change the bytes and fail). Throws only for a secret the SDK cannot use, which
 * lib/env.ts already refuses.
 */
export function verifyResendWebhook(rawBody: string, headers: Headers, secret: string): VerifyResult {
  const signatureHeaders = signatureHeadersOf(headers);
  if (!signatureHeaders) return { ok: false, reason: 'missing-headers' };
  verifier ??= new Resend('re_webhook_verification_only');
  let payload: unknown;
  try {
    payload = verifier.webhooks.verify({ payload: rawBody, headers: signatureHeaders, webhookSecret: secret });
  } catch (err) {
    // The signature matched, then JSON.parse failed: signed by Resend, but not an event we can read.
    if (err instanceof SyntaxError) return { ok: false, reason: 'malformed-json' };
    if (err instanceof Error && err.name === 'WebhookVerificationError') return { ok: false, reason: 'bad-signature' };
    throw err;
  }
  // The SDK answers undefined for an empty (but correctly signed) body.
  if (payload === undefined) return { ok: false, reason: 'malformed-json' };
  return { ok: true, svixId: signatureHeaders.id, payload };
}

const recipients = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : [value]));

const emailEventData = z.object({
  email_id: z.string().optional(),
  to: recipients,
  // Resend (SES underneath): type "Permanent" | "Transient" | "Undetermined"; subType e.g.
  // "General", "NoEmail", "Suppressed", "OnAccountSuppressionList", "MailboxFull".
  bounce: z.object({ type: z.string().optional(), subType: z.string().optional() }).loose().optional(),
}).loose();

const eventSchema = z.object({ type: z.string().min(1), created_at: z.string().optional(), data: z.unknown().optional() }).loose();

export type ResendEvent =
  | { type: 'email.bounced'; emailId?: string; to: string[]; bounceType?: string; bounceSubType?: string }
  | { type: 'email.complained'; emailId?: string; to: string[] }
  | { type: 'other'; name: string };

/** The event, or null when the payload is not a Resend event this code can read (answer 400). */
export function parseResendEvent(payload: unknown): ResendEvent | null {
  const event = eventSchema.safeParse(payload);
  if (!event.success) return null;
  const { type } = event.data;
  if (type !== 'email.bounced' && type !== 'email.complained') return { type: 'other', name: type };
  const data = emailEventData.safeParse(event.data.data);
  if (!data.success) return null;
  if (type === 'email.complained') return { type, emailId: data.data.email_id, to: data.data.to };
  return { type, emailId: data.data.email_id, to: data.data.to, bounceType: data.data.bounce?.type, bounceSubType: data.data.bounce?.subType };
}

/** A hard bounce: the address will never accept mail. Transient and undetermined ones may recover. */
export function isHardBounce(bounceType: string | undefined): boolean {
  return bounceType !== undefined && /^(permanent|hard)$/i.test(bounceType.trim());
}

/** `Reader <READER@example.com>` or ` reader@example.com ` → `reader@example.com`; null if no address. */
export function recipientAddress(value: string): string | null {
  const angle = /<([^<>]+)>\s*$/.exec(value);
  const address = normalizeEmail(angle ? angle[1]! : value);
  return /^[^\s@]+@[^\s@]+$/.test(address) ? address : null;
}

export type WebhookOutcome =
  | { outcome: 'suppressed'; reason: SuppressionReason; added: number; cancelledEmails: number }
  | { outcome: 'duplicate' }
  | { outcome: 'ignored'; why: string };

/** What an event asks for: suppress its recipients for a reason, or nothing (and why). */
function decide(event: ResendEvent): { reason: SuppressionReason } | { ignore: string } {
  switch (event.type) {
    case 'email.complained':
      return { reason: 'COMPLAINT' };
    case 'email.bounced':
      return isHardBounce(event.bounceType) ? { reason: 'BOUNCE' } : { ignore: `${event.bounceType ?? 'unknown'} bounce` };
    case 'other':
      return { ignore: `event type ${event.name}` };
  }
}

/**
 * Applies a verified event. Bounces and complaints (hard or soft) record their svix-id in
 * webhook_events, in the same transaction as the suppressions they cause: a redelivery finds the
 * id and changes nothing, and a transaction that fails records nothing, so Svix's retry applies
 * it. Other types touch no table. Database errors propagate (the route answers 503).
 */
export async function handleResendEvent(
  input: { svixId: string; event: ResendEvent },
  options: { db?: PrismaClient; now?: Date } = {},
): Promise<WebhookOutcome> {
  const { svixId, event } = input;
  if (event.type === 'other') return { outcome: 'ignored', why: `event type ${event.name}` };
  const decision = decide(event);
  const db = options.db ?? getDb();
  const now = options.now ?? new Date();

  const result = await db.$transaction(async (tx): Promise<WebhookOutcome> => {
    // A concurrent delivery of the same id waits here for the first one's commit, then conflicts.
    const inserted = await tx.$executeRaw`
      INSERT INTO webhook_events (svix_id, type, received_at) VALUES (${svixId}, ${event.type}, ${now}::timestamptz)
      ON CONFLICT (svix_id) DO NOTHING`;
    if (inserted === 0) return { outcome: 'duplicate' };
    if ('ignore' in decision) return { outcome: 'ignored', why: decision.ignore };
    const emails = event.to.map(recipientAddress).filter((address): address is string => address !== null);
    const { added, cancelledEmails } = await suppressAddresses(tx, { emails, reason: decision.reason, sourceEventId: svixId, now });
    return { outcome: 'suppressed', reason: decision.reason, added, cancelledEmails };
  });

  // Ids and counts only: the addresses stay out of the log.
  log.info('webhook', { svixId, type: event.type, emailId: event.emailId, ...result });
  countWebhookEvent(event.type, result.outcome);
  return result;
}
