import { errorJson, errorRedirect, field, jsonResponse, parseBody, seeOther, wantsJson, type ParsedBody } from '@/lib/newsletter/http';
import { newsletterPaths, withToken } from '@/lib/newsletter/paths';
import { deleteSubscriberData, exportSubscriberData } from '@/lib/newsletter/service';

/**
 * A subscriber's data, by the manage token from the welcome email (/newsletter/data?token=… is the page).
 * GET ?token=…: 200 JSON download (Content-Disposition: attachment), 404 for an unknown token.
 * POST `_action=delete` (+ `token`): deletes everything; form post → 303 /newsletter/deleted
 *   (back to the page for a bad token), JSON → 200 { ok } or 404. `_action=export` answers as GET.
 * 413, 415, 503, 500 as elsewhere.
 */

async function exportAnswer(token: string): Promise<Response> {
  const data = await exportSubscriberData(token);
  if (!data) return jsonResponse({ ok: false, error: 'This link is not valid.' }, 404);
  return jsonResponse(data, 200, { 'Content-Disposition': 'attachment; filename="newsletter-data.json"' });
}

export async function GET(request: Request): Promise<Response> {
  const token = (new URL(request.url).searchParams.get('token') ?? '').trim();
  try {
    return await exportAnswer(token);
  } catch (err) {
    return errorJson(err, 'data-export');
  }
}

export async function POST(request: Request): Promise<Response> {
  let body: ParsedBody | undefined;
  const json = () => wantsJson(request, body);
  try {
    body = await parseBody(request);
  } catch (err) {
    return json() ? errorJson(err, 'data') : errorRedirect(err, 'data');
  }
  const token = (field(body.fields, 'token') ?? new URL(request.url).searchParams.get('token') ?? '').trim();
  const action = field(body.fields, '_action') ?? field(body.fields, 'action');

  try {
    if (action === 'export') return await exportAnswer(token);
    if (action !== 'delete') return jsonResponse({ ok: false, error: 'Unknown action; expected "delete" or "export".' }, 400);
    const deleted = await deleteSubscriberData(token);
    if (json()) {
      return deleted
        ? jsonResponse({ ok: true, message: 'Your data has been deleted.' })
        : jsonResponse({ ok: false, error: 'This link is not valid.' }, 404);
    }
    if (deleted) return seeOther(newsletterPaths.deleted);
    return seeOther(token ? withToken(newsletterPaths.dataPage, token, { error: 'unknown' }) : newsletterPaths.dataPage);
  } catch (err) {
    return json() ? errorJson(err, 'data') : errorRedirect(err, 'data');
  }
}
