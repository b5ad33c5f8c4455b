import { renderStoredEmail, type RenderedEmail } from '../email';
import { confirmUrl, unsubscribeUrl } from './paths';

/**
 * The confirmation email, rendered once and copied per signup. React Email costs milliseconds per
 * render, which at signup rates was most of the server's CPU; every confirmation is the same
 * template with two tokens in it (the confirm link's and the unsubscribe link's). So it is rendered
 * once per (expiry, token lengths) with placeholder tokens of the same lengths and characters, and
 * each email replaces them with its own: the same bytes as its own render (the plain text wraps on
 * whitespace only, and base64url tokens need no escaping), which test/newsletter/confirmation-render.test.ts
 * checks. Anything else (a link that is not exactly the token's URL) is rendered on its own.
 */

export type ConfirmationProps = { confirmToken: string; unsubscribeUrl: string; expiresInHours: number };

const TOKEN = /^[A-Za-z0-9_-]{8,}$/;
const MAX_TEMPLATES = 16;
const templates = new Map<string, Promise<RenderedEmail>>();

/** A token-shaped string of `length` that no real rendering contains (distinct per role). */
function placeholder(role: 'c' | 'u', length: number): string {
  const stem = role === 'c' ? 'zzPlaceholderConfirm' : 'zzPlaceholderUnsub';
  return (stem + 'Q'.repeat(length)).slice(0, length);
}

function render(confirmToken: string, unsubscribe: string, expiresInHours: number): Promise<RenderedEmail> {
  return renderStoredEmail('confirmation', { confirmUrl: confirmUrl(confirmToken), unsubscribeUrl: unsubscribe, expiresInHours });
}

/** The unsubscribe link's token when the link is exactly unsubscribeUrl(token); else null. */
function unsubscribeToken(url: string): string | null {
  const token = URL.canParse(url) ? new URL(url).searchParams.get('token') : null;
  return token && TOKEN.test(token) && unsubscribeUrl(token) === url ? token : null;
}

export async function renderConfirmation({ confirmToken, unsubscribeUrl: unsubscribe, expiresInHours }: ConfirmationProps): Promise<RenderedEmail> {
  const manageToken = unsubscribeToken(unsubscribe);
  if (!manageToken || !TOKEN.test(confirmToken)) return render(confirmToken, unsubscribe, expiresInHours);
  const c = placeholder('c', confirmToken.length);
  const u = placeholder('u', manageToken.length);
  const key = `${expiresInHours}:${c.length}:${u.length}`;
  let template = templates.get(key);
  if (!template) {
    if (templates.size >= MAX_TEMPLATES) templates.clear();
    template = render(c, unsubscribeUrl(u), expiresInHours);
    templates.set(key, template);
    // A failed render is not kept: the next email tries again.
    template.catch(() => templates.delete(key));
  }
  const { subject, html, text } = await template;
  const swap = (value: string) => value.replaceAll(c, confirmToken).replaceAll(u, manageToken);
  return { subject: swap(subject), html: swap(html), text: swap(text) };
}
