import { clientAddress } from '@/lib/http/client-address';
import { field, jsonResponse, openBrowserPost, seeOther } from '@/lib/newsletter/http';
import { newsletterPaths, withToken } from '@/lib/newsletter/paths';
import { confirmSubscription } from '@/lib/newsletter/service';

/**
 * POST /api/newsletter/confirm with the field `token` (form or JSON). Only a POST confirms: the
 * email's link opens a page (GET, harmless for mail scanners) whose button posts here.
 * Form post: 303 to /newsletter/confirmed, or back to /newsletter/confirm?token=…&error=expired|unknown.
 * JSON (JSON body or Accept: application/json): 200 { ok, status: confirmed | already-confirmed },
 * 410 { status: expired }, 404 { status: unknown }. 403 for a browser posting from another site;
 * 413, 415, 429, 503, 500 as elsewhere.
 */

const MESSAGES = {
  confirmed: 'Your subscription is confirmed.',
  'already-confirmed': 'Your subscription is already confirmed.',
  expired: 'This confirmation link has expired. Subscribe again to get a new one.',
  unknown: 'This confirmation link is not valid. Subscribe again to get a new one.',
} as const;

export async function POST(request: Request): Promise<Response> {
  const post = await openBrowserPost(request, 'confirm');
  if (post instanceof Response) return post;
  const { body, json } = post;

  const token = (field(body.fields, 'token') ?? new URL(request.url).searchParams.get('token') ?? '').trim();
  let status: keyof typeof MESSAGES;
  try {
    ({ status } = await confirmSubscription(token, { client: clientAddress(request) }));
  } catch (err) {
    return post.fail(err);
  }

  const ok = status === 'confirmed' || status === 'already-confirmed';
  if (json) {
    return jsonResponse(
      ok ? { ok: true, status, message: MESSAGES[status] } : { ok: false, status, error: MESSAGES[status] },
      ok ? 200 : status === 'expired' ? 410 : 404,
    );
  }
  if (ok) return seeOther(newsletterPaths.confirmed);
  return seeOther(token ? withToken(newsletterPaths.confirmPage, token, { error: status }) : `${newsletterPaths.confirmPage}?error=${status}`);
}
