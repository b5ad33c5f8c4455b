import { expect, test } from '@playwright/test';
import { REFERENCE_SLUG } from './support/content';

/**
 * proxy.ts runs only where a request id matters (route handlers, the dynamic pages): a page
 * served from the prerender cache goes out with nothing run in front of it, as in an empty
 * Next.js app. The id the proxy sets comes back in X-Request-Id, so its absence proves it did not run.
 */

const PRERENDERED = ['/', `/articles/${REFERENCE_SLUG}`, '/articles', '/tags', '/tags/distributed-systems', '/rss.xml', '/sitemap.xml', '/manifest.webmanifest'];
const THROUGH_PROXY = ['/api/health/live', '/search?q=consensus', '/newsletter/confirm'];

for (const pathname of PRERENDERED) {
  test(`${pathname}: prerendered, served without the proxy`, async ({ request }) => {
    const response = await request.get(pathname, { headers: { 'x-request-id': 'e2e-static-1' } });
    expect(response.status(), pathname).toBe(200);
    expect(response.headers()['x-request-id'], `${pathname}: the proxy ran`).toBeUndefined();
    expect(response.headers()['x-nextjs-prerender'] ?? response.headers()['x-nextjs-cache'], `${pathname}: not from the prerender cache`).toBeTruthy();
  });
}

for (const pathname of THROUGH_PROXY) {
  test(`${pathname}: rendered per request, given a request id`, async ({ request }) => {
    const kept = await request.get(pathname, { headers: { 'x-request-id': 'e2e-dynamic-1' } });
    expect(kept.status(), pathname).toBe(200);
    expect(kept.headers()['x-request-id'], `${pathname}: a sane incoming id is kept`).toBe('e2e-dynamic-1');
    const fresh = await request.get(pathname);
    expect(fresh.headers()['x-request-id'] ?? '', `${pathname}: an id is generated`).toMatch(/^[0-9a-f-]{36}$/);
  });
}
