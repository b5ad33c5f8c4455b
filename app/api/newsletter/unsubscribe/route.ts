import { clientAddress } from '@/lib/http/client-address';
import { errorJson, errorRedirect, field, jsonResponse, parseBody, seeOther, wantsJson, type ParsedBody } from '@/lib/newsletter/http';
import { newsletterPaths, withToken } from '@/lib/newsletter/paths';
import { unsubscribe } from '@/lib/newsletter/service';

/**
 * The unsubscribe link of every email and its List-Unsubscribe header: /api/newsletter/unsubscribe?token=…
 *
 * GET: 303 to the manage page /newsletter/manage?token=…, whose first button posts here. A GET
 *   never unsubscribes (mail scanners fetch links).
 * POST with body `List-Unsubscribe=One-Click` (RFC 8058, sent by mailbox providers): unsubscribes
 *   at once; 200 text/plain (JSON when asked), 404 for an unknown token. Repeating it is harmless.
 * POST from the page's form: 303 to /newsletter/unsubscribed (back to the page for a bad token).
 * POST with JSON: 200 { ok, status } or 404.
 * The token comes from the query string or a `token` field. No cross-site check here: mail
 * providers' one-click POSTs carry no Origin, and the token is what authorises (it only unsubscribes).
 */

function tokenOf(request: Request, body?: ParsedBody): string {
  const fromBody = body ? field(body.fields, 'token') : undefined;
  return (fromBody ?? new URL(request.url).searchParams.get('token') ?? '').trim();
}

export function GET(request: Request): Response {
  const token = tokenOf(request);
  return seeOther(token ? withToken(newsletterPaths.managePage, token) : newsletterPaths.managePage);
}

export async function POST(request: Request): Promise<Response> {
  let body: ParsedBody;
  try {
    // Some one-click senders post no body at all; the token is in the URL either way.
    body = await parseBody(request, { allowEmpty: true });
  } catch (err) {
    return errorJson(err, 'unsubscribe');
  }
  const oneClick = field(body.fields, 'List-Unsubscribe') === 'One-Click' || body.kind === 'empty';
  const json = wantsJson(request, body);
  const token = tokenOf(request, body);

  let status: 'unsubscribed' | 'unknown';
  try {
    ({ status } = await unsubscribe(token, { client: clientAddress(request) }));
  } catch (err) {
    return oneClick || json ? errorJson(err, 'unsubscribe') : errorRedirect(err, 'unsubscribe');
  }

  if (json) {
    return status === 'unsubscribed'
      ? jsonResponse({ ok: true, status, message: 'You have been unsubscribed.' })
      : jsonResponse({ ok: false, status, error: 'This unsubscribe link is not valid.' }, 404);
  }
  if (oneClick) {
    return new Response(status === 'unsubscribed' ? 'You have been unsubscribed.\n' : 'This unsubscribe link is not valid.\n', {
      status: status === 'unsubscribed' ? 200 : 404,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
    });
  }
  if (status === 'unsubscribed') return seeOther(newsletterPaths.unsubscribed);
  return seeOther(token ? withToken(newsletterPaths.managePage, token, { error: 'unknown' }) : newsletterPaths.managePage);
}
