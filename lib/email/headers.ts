/**
 * RFC 2369 List-Unsubscribe plus RFC 8058 one-click: mailbox providers (Gmail, Yahoo) show an
 * "Unsubscribe" button and POST `List-Unsubscribe=One-Click` to the URL without a browser visit,
 * so the URL must carry its own token and the endpoint must accept that POST.
 * RFC 8058 wants https; that is SITE_URL's job in production, so http (dev, e2e) is not refused here.
 */
export function unsubscribeHeaders(url: string): {
  'List-Unsubscribe': string;
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click';
} {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`List-Unsubscribe URL must be http(s): ${url}`);
  }
  return {
    // URL#href percent-encodes anything (spaces, '<', '>') that could break the angle brackets.
    'List-Unsubscribe': `<${parsed.href}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}
