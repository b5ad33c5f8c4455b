import { env, unsetReason } from '@/lib/env';
import { clientAddress } from '@/lib/http/client-address';
import { errorJson, HttpError, jsonResponse, readBodyBytes } from '@/lib/newsletter/http';
import { log } from '@/lib/newsletter/log';
import { handleResendEvent, limitWebhookSender, MAX_WEBHOOK_BODY_BYTES, parseResendEvent, verifyResendWebhook } from '@/lib/newsletter/webhooks';

/**
 * POST /api/webhooks/resend: Resend's webhook (Svix-signed). A hard bounce or a complaint
 * suppresses the recipient (lib/newsletter/webhooks.ts).
 * 200 handled, ignored (other types, soft bounces) or a duplicate svix-id (no effect);
 * 401 signature missing, wrong or older/newer than 5 minutes (nothing written);
 * 400 a correctly signed body that is not a readable event; 413 body over 256 KB; 429 past the
 * per-sender limit (counted before the signature is checked);
 * 503 RESEND_WEBHOOK_SECRET unset or the database unreachable (Svix retries).
 */

export async function POST(request: Request): Promise<Response> {
  const secret = env.RESEND_WEBHOOK_SECRET;
  if (!secret) {
    log.warn('webhook-not-configured', { reason: unsetReason('RESEND_WEBHOOK_SECRET') });
    return jsonResponse({ ok: false, error: 'Webhooks are not configured.' }, 503, { 'Retry-After': '300' });
  }

  // The raw body, as request.text() would decode it, but read with a size limit. The signature
  // covers these exact characters, so nothing may parse and re-serialise it before verification.
  let rawBody: string;
  try {
    rawBody = new TextDecoder().decode(await readBodyBytes(request, MAX_WEBHOOK_BODY_BYTES));
  } catch (err) {
    if (err instanceof HttpError) return jsonResponse({ ok: false, error: err.message }, err.status);
    throw err;
  }

  try {
    await limitWebhookSender(clientAddress(request));
  } catch (err) {
    return errorJson(err, 'webhooks/resend');
  }

  const verified = verifyResendWebhook(rawBody, request.headers, secret);
  if (!verified.ok) {
    if (verified.reason === 'malformed-json') return jsonResponse({ ok: false, error: 'The body is not valid JSON.' }, 400);
    log.warn('webhook-rejected', { reason: verified.reason });
    return jsonResponse({ ok: false, error: 'Invalid signature.' }, 401);
  }
  const event = parseResendEvent(verified.payload);
  if (!event) return jsonResponse({ ok: false, error: 'The body is not a Resend event.' }, 400);

  try {
    const result = await handleResendEvent({ svixId: verified.svixId, event });
    return jsonResponse({ ok: true, ...result });
  } catch (err) {
    return errorJson(err, 'webhooks/resend');
  }
}
