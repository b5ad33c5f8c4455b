import { siteUrl } from '../site';

/**
 * Refuses state-changing requests that a browser sent on behalf of another site: a form on
 * evil.example posting a victim's address to our signup ("subscription bombing": every visitor of
 * that page is a different IP, so no per-IP limit helps), or a page deleting someone's data with a
 * link it obtained. Browsers say where a request comes from; non-browser clients (curl, a mail
 * provider's RFC 8058 one-click unsubscribe) send neither header and are let through: they cannot
 * act with a victim's browser, and the token or rate limits are what hold them.
 *
 * Fetch Metadata first (every current browser): only `same-origin`, or `none` (the user typed or
 * bookmarked it), is ours. `same-site` is refused too: a sibling subdomain is not this site. Without
 * it, an Origin must be this site's (SITE_URL) or the Host the request was sent to.
 */

export type CrossSiteVerdict = { allowed: true } | { allowed: false; reason: string };

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

export function crossSiteVerdict(request: Request, site: string = siteUrl): CrossSiteVerdict {
  const fetchSite = request.headers.get('sec-fetch-site')?.trim().toLowerCase();
  if (fetchSite) {
    return fetchSite === 'same-origin' || fetchSite === 'none'
      ? { allowed: true }
      : { allowed: false, reason: `Sec-Fetch-Site: ${fetchSite}` };
  }
  const origin = request.headers.get('origin')?.trim();
  if (!origin) return { allowed: true };
  if (origin === 'null') return { allowed: false, reason: 'Origin: null' };
  const host = request.headers.get('host');
  const sent = originOf(origin);
  const ours = [originOf(site), host ? originOf(`http://${host}`) : undefined, host ? originOf(`https://${host}`) : undefined];
  return sent !== undefined && ours.includes(sent) ? { allowed: true } : { allowed: false, reason: `Origin: ${origin}` };
}
