import { z } from 'zod';
import { clientAddress } from '@/lib/http/client-address';
import { REQUEST_ID_HEADER, requestIdFor } from '@/lib/log';
import { countSignup } from '@/lib/metrics/registry';
import { InvalidSubscriptionError } from '@/lib/newsletter/errors';
import { bodyKindOf, crossSiteRefusal, errorJson, errorRedirect, field, jsonResponse, parseBody, seeOther, type ParsedBody, wantsJson } from '@/lib/newsletter/http';
import { newsletterPaths } from '@/lib/newsletter/paths';
import { subscribe } from '@/lib/newsletter/service';
import { SUBSCRIBE_SUCCESS_MESSAGE, subscribeSchema } from '@/lib/validations/newsletter';

/**
 * POST /api/newsletter/subscribe
 * JSON (the form with JavaScript): 200 { ok, message } | 400 { ok:false, error, fieldErrors } |
 * 403 (a browser posting from another site) | 413 | 415 | 429 + Retry-After | 503 | 500. A form
 * post (no JavaScript): 303 to the check-inbox page, or to /newsletter/error?reason=… The answer is
 * the same for a new, pending or confirmed address, and for a filled-in honeypot (which writes nothing).
 * Every answer carries X-Request-Id: proxy.ts does not run here (its matcher says why), so the
 * route keeps a sane incoming id or makes one, as the proxy does elsewhere.
 */

export async function POST(request: Request): Promise<Response> {
  const requestId = requestIdFor(request);
  const response = await answer(request, requestId);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}

async function answer(request: Request, requestId: string): Promise<Response> {
  const refused = crossSiteRefusal(request, 'subscribe', requestId);
  if (refused) return refused;

  // Browsers posting the no-JS form get pages; everyone else gets JSON.
  const asForm = bodyKindOf(request) !== null && !wantsJson(request);
  const fail = (err: unknown) => (asForm ? errorRedirect(err, 'subscribe') : errorJson(err, 'subscribe'));
  const succeed = () =>
    asForm ? seeOther(newsletterPaths.checkInbox) : jsonResponse({ ok: true, message: SUBSCRIBE_SUCCESS_MESSAGE });

  let body: ParsedBody;
  try {
    body = await parseBody(request);
  } catch (err) {
    return fail(err);
  }

  // Honeypot: a bot filled the hidden field. Same answer as success; nothing is written or sent.
  if (field(body.fields, 'website')?.trim()) return succeed();

  const parsed = subscribeSchema.safeParse(body.fields);
  if (!parsed.success) {
    countSignup('invalid');
    return fail(new InvalidSubscriptionError(z.flattenError(parsed.error).fieldErrors as Record<string, string[]>));
  }

  try {
    await subscribe({ email: parsed.data.email, source: parsed.data.source }, { client: clientAddress(request) });
  } catch (err) {
    return fail(err);
  }
  return succeed();
}
