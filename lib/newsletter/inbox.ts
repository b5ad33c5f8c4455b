/**
 * The inbox an address delivers to, so that limits count per person rather than per spelling:
 * v.ictim+1@gmail.com and victim@googlemail.com are one Gmail inbox. Only rate limits and the
 * "already pending" check use it; the address is stored and mailed exactly as the reader typed it.
 * The rules are the providers' documented ones; an unknown domain keeps its local part whole
 * (some servers treat "+" as an ordinary character, and two such addresses are two people).
 */

/** Gmail ignores dots in the local part and everything from "+"; googlemail.com is the same service. */
const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/** Providers that deliver local+anything to local (subaddressing, RFC 5233), and keep dots significant. */
const PLUS_DOMAINS = new Set([
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'fastmail.com',
  'fastmail.fm',
  'proton.me',
  'protonmail.com',
  'protonmail.ch',
  'pm.me',
  'hey.com',
  'zoho.com',
  'yandex.com',
  'yandex.ru',
]);

/** The canonical inbox of a (lowercased, trimmed) address; unchanged for an unknown provider. */
export function canonicalInbox(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return email;
  const domain = email.slice(at + 1).toLowerCase();
  const local = email.slice(0, at).toLowerCase();
  if (GMAIL_DOMAINS.has(domain)) return `${stripTag(local).replaceAll('.', '')}@gmail.com`;
  if (PLUS_DOMAINS.has(domain)) return `${stripTag(local)}@${domain}`;
  return `${local}@${domain}`;
}

function stripTag(local: string): string {
  const plus = local.indexOf('+');
  // "+tag" alone is not an address anyone has: keep it as typed.
  return plus > 0 ? local.slice(0, plus) : local;
}
