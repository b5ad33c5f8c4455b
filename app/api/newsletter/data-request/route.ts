import { clientAddress } from '@/lib/http/client-address';
import { field, jsonResponse, openBrowserPost, seeOther } from '@/lib/newsletter/http';
import { newsletterPaths, withToken } from '@/lib/newsletter/paths';
import { requestDataLink } from '@/lib/newsletter/service';

/**
 * POST /api/newsletter/data-request with `token` (the manage token of the link in every email) and
 * `purpose=export|delete`: emails the subscriber a single-use link, valid for an hour, that does it.
 * Form (the manage page's buttons): 303 back to /newsletter/manage?token=…&sent=<purpose>.
 * JSON: 200 { ok, message } | 404 for an unknown token. 403 for a browser posting from another
 * site; 400, 413, 415, 429 (per client, and per subscriber: 3 links an hour), 503 as elsewhere.
 */

export async function POST(request: Request): Promise<Response> {
  const post = await openBrowserPost(request, 'data-request');
  if (post instanceof Response) return post;
  const { body, json } = post;
  const token = (field(body.fields, 'token') ?? '').trim();
  const purpose = field(body.fields, 'purpose');
  if (purpose !== 'export' && purpose !== 'delete') {
    return jsonResponse({ ok: false, error: 'Unknown purpose; expected "export" or "delete".' }, 400);
  }
  try {
    const { status } = await requestDataLink(token, purpose, { client: clientAddress(request) });
    if (json) {
      return status === 'sent'
        ? jsonResponse({ ok: true, message: 'Check your inbox: the link works once, within an hour.' })
        : jsonResponse({ ok: false, error: 'This link is not valid.' }, 404);
    }
    if (status === 'unknown') return seeOther(token ? withToken(newsletterPaths.managePage, token, { error: 'unknown' }) : newsletterPaths.managePage);
    return seeOther(withToken(newsletterPaths.managePage, token, { sent: purpose }));
  } catch (err) {
    return post.fail(err);
  }
}
