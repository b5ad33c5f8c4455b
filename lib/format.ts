const longDate = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' });

/** "2026-03-10" → "March 10, 2026". Frontmatter dates are calendar days, so format them in UTC. */
export function formatDate(isoDay: string): string {
  return longDate.format(new Date(`${isoDay}T00:00:00Z`));
}

/**
 * An address shown back to its owner without spelling it out (the unsubscribe page):
 * `reader@example.com` → `r***@example.com`; anything unparseable → `***`.
 */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return '***';
  return `${address[0]}***${address.slice(at)}`;
}
