import { describe, expect, it } from 'vitest';
import { crossSiteVerdict } from './cross-site';

const SITE = 'https://quorum.example';
const post = (headers: Record<string, string>) => new Request(`${SITE}/api/newsletter/subscribe`, { method: 'POST', headers });

describe('crossSiteVerdict', () => {
  it('lets same-origin and user-initiated browser requests through, and clients that send neither header', () => {
    expect(crossSiteVerdict(post({ 'sec-fetch-site': 'same-origin', origin: SITE }), SITE).allowed).toBe(true);
    expect(crossSiteVerdict(post({ 'sec-fetch-site': 'none' }), SITE).allowed).toBe(true);
    // curl, a mail provider's RFC 8058 one-click POST: no Origin, no Fetch Metadata.
    expect(crossSiteVerdict(post({}), SITE).allowed).toBe(true);
  });

  it('refuses cross-site and same-site browser requests by Fetch Metadata, whatever the Origin claims', () => {
    expect(crossSiteVerdict(post({ 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }), SITE)).toEqual({
      allowed: false,
      reason: 'Sec-Fetch-Site: cross-site',
    });
    expect(crossSiteVerdict(post({ 'sec-fetch-site': 'cross-site', origin: SITE }), SITE).allowed).toBe(false);
    expect(crossSiteVerdict(post({ 'sec-fetch-site': 'same-site', origin: 'https://blog.quorum.example' }), SITE).allowed).toBe(false);
  });

  it('without Fetch Metadata, wants an Origin of this site (SITE_URL, or the Host it was sent to)', () => {
    expect(crossSiteVerdict(post({ origin: SITE }), SITE).allowed).toBe(true);
    expect(crossSiteVerdict(post({ origin: 'http://127.0.0.1:3100', host: '127.0.0.1:3100' }), SITE).allowed).toBe(true);
    expect(crossSiteVerdict(post({ origin: 'https://evil.example', host: 'quorum.example' }), SITE)).toEqual({
      allowed: false,
      reason: 'Origin: https://evil.example',
    });
    expect(crossSiteVerdict(post({ origin: 'null' }), SITE).allowed).toBe(false);
    expect(crossSiteVerdict(post({ origin: 'not a url' }), SITE).allowed).toBe(false);
  });
});
