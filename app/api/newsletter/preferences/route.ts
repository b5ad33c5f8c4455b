import { clientAddress } from '@/lib/http/client-address';
import { field, jsonResponse, openBrowserPost, seeOther } from '@/lib/newsletter/http';
import { newsletterPaths, withToken } from '@/lib/newsletter/paths';
import { setPreference } from '@/lib/newsletter/service';
import { preferenceSummary } from '@/lib/reader-preference';

/**
 * POST /api/newsletter/preferences with `token` (the manage token of the link in every email),
 * `delivery=every|weekly|pause` and, for a pause, `until=YYYY-MM-DD` (the day emails start again).
 * Form (the manage page without JavaScript): 303 back to /newsletter/manage?token=…&saved=1, or
 * &error=<code> for a choice or date that is not accepted. JSON: 200 { ok, preference, summary, message },
 * 422 { ok: false, code, error } for a bad choice or date, 409 for an unsubscribed address, 404 for
 * an unknown token. 403 for a browser posting from another site; 400, 413, 415, 429, 503 as elsewhere.
 */

export async function POST(request: Request): Promise<Response> {
  const post = await openBrowserPost(request, 'preferences');
  if (post instanceof Response) return post;
  const { body, json } = post;
  const token = (field(body.fields, 'token') ?? '').trim();
  const manage = (extra: Record<string, string> = {}) => (token ? withToken(newsletterPaths.managePage, token, extra) : newsletterPaths.managePage);
  try {
    const result = await setPreference(token, { delivery: body.fields.delivery, until: body.fields.until }, { client: clientAddress(request) });
    if (json) {
      switch (result.status) {
        case 'saved': {
          const summary = preferenceSummary(result.preference);
          return jsonResponse({ ok: true, preference: result.preference, summary, message: `Saved. ${summary}` });
        }
        case 'invalid':
          return jsonResponse({ ok: false, code: result.error.code, error: result.error.message }, 422);
        case 'unsubscribed':
          return jsonResponse({ ok: false, code: 'unsubscribed', error: 'This address is unsubscribed: subscribe again to choose how often we write.' }, 409);
        default:
          return jsonResponse({ ok: false, code: 'unknown', error: 'This link is not valid.' }, 404);
      }
    }
    if (result.status === 'saved') return seeOther(manage({ saved: '1' }));
    if (result.status === 'invalid') return seeOther(manage({ error: result.error.code }));
    return seeOther(manage({ error: result.status }));
  } catch (err) {
    return post.fail(err);
  }
}
