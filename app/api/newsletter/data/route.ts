import { clientAddress } from '@/lib/http/client-address';
import { field, jsonResponse, openBrowserPost, seeOther } from '@/lib/newsletter/http';
import { newsletterPaths, withToken } from '@/lib/newsletter/paths';
import { deleteSubscriberData, exportSubscriberData, type DataLinkRefusal } from '@/lib/newsletter/service';

/**
 * POST /api/newsletter/data with `token` (a single-use data link from the email the subscriber asked
 * for on the manage page) and `_action=export|delete`; the page /newsletter/data?token=… has the button.
 * export: 200 JSON download (Content-Disposition: attachment). delete: form → 303 /newsletter/deleted,
 * JSON → 200 { ok }. A used, expired or unknown link: JSON 410/404, a form back to the page with
 * ?error=. 403 for a browser posting from another site; 400, 413, 415, 429, 503 as elsewhere.
 * GET: 405. The link in newsletters (the manage token) cannot export or delete: that link is forwarded.
 */

const REFUSED: Record<DataLinkRefusal, { status: number; message: string }> = {
  used: { status: 410, message: 'This link has already been used. Ask for a new one on your subscription page.' },
  expired: { status: 410, message: 'This link has expired. Ask for a new one on your subscription page.' },
  unknown: { status: 404, message: 'This link is not valid.' },
};

export function GET(): Response {
  return jsonResponse({ ok: false, error: 'Use the button on the page your data link opens (POST).' }, 405, { Allow: 'POST' });
}

export async function POST(request: Request): Promise<Response> {
  const post = await openBrowserPost(request, 'data');
  if (post instanceof Response) return post;
  const { body, json } = post;
  const token = (field(body.fields, 'token') ?? '').trim();
  const action = field(body.fields, '_action') ?? field(body.fields, 'action');
  if (action !== 'export' && action !== 'delete') {
    return jsonResponse({ ok: false, error: 'Unknown action; expected "delete" or "export".' }, 400);
  }
  const refusal = (why: DataLinkRefusal) =>
    json || !token
      ? jsonResponse({ ok: false, status: why, error: REFUSED[why].message }, REFUSED[why].status)
      : seeOther(withToken(newsletterPaths.dataPage, token, { error: why }));

  try {
    const options = { client: clientAddress(request) };
    if (action === 'export') {
      const result = await exportSubscriberData(token, options);
      if (!result.ok) return refusal(result.refused);
      return jsonResponse(result.data, 200, { 'Content-Disposition': 'attachment; filename="newsletter-data.json"' });
    }
    const result = await deleteSubscriberData(token, options);
    if (!result.ok) return refusal(result.refused);
    return json ? jsonResponse({ ok: true, message: 'Your data has been deleted.' }) : seeOther(newsletterPaths.deleted);
  } catch (err) {
    return post.fail(err);
  }
}
