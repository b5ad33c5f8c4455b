import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { REFERENCE_SLUG } from './support/content';

/**
 * proxy.ts runs only where a request id matters (route handlers, the dynamic pages): a page
 * served from the prerender cache goes out with nothing run in front of it, as in an empty
 * Next.js app. The id the proxy sets comes back in X-Request-Id, so its absence proves it did not run.
 */

const PRERENDERED = ['/', `/articles/${REFERENCE_SLUG}`, '/articles', '/tags', '/tags/distributed-systems', '/newsletter/confirmed', '/rss.xml', '/sitemap.xml', '/manifest.webmanifest'];
const THROUGH_PROXY = ['/api/health/live', '/search?q=consensus', '/newsletter/confirm', '/newsletter/error?reason=invalid-email'];
// Rendered per request but files, not pages: nothing there logs, so no id is needed.
const DYNAMIC_WITHOUT_PROXY = ['/search-index/[version]', '/search-index/[version]/[slug]'];
// Route handlers that set the id themselves, without the proxy (proxy.ts's matcher says why); POST-only.
const OWN_REQUEST_ID = ['/api/newsletter/subscribe'];

const manifest = <T>(name: string): T => JSON.parse(readFileSync(path.join(process.cwd(), '.next', name), 'utf8')) as T;

test('every route the build prerendered goes out without a request id, every other page and route handler with one', async ({ request }) => {
  const prerender = manifest<{ routes: Record<string, unknown>; dynamicRoutes: Record<string, unknown> }>('prerender-manifest.json');
  const prerendered = Object.keys(prerender.routes).filter((route) => !route.startsWith('/_'));
  expect(prerendered, 'the build prerendered the home page').toContain('/');
  const all = Object.values(manifest<Record<string, string>>('app-path-routes-manifest.json'));
  const perRequest = all.filter(
    (route) => !prerender.routes[route] && !prerender.dynamicRoutes[route] && !route.startsWith('/_') && !DYNAMIC_WITHOUT_PROXY.includes(route),
  );
  expect(perRequest, 'dynamic pages and route handlers').toContain('/search');

  // Whatever the status (a POST-only route answers GET with 405), the proxy's id shows whether it ran.
  const ranOn = async (route: string) => (await request.get(route.replace(/\[[^\]]+\]/g, 'x'), { maxRedirects: 0 })).headers()['x-request-id'] !== undefined;
  // A route with its own id, asked with a POST from another site: refused (403) before anything is read or written.
  const ownIdOn = async (route: string) =>
    (await request.post(route, { headers: { origin: 'https://attacker.example', 'content-type': 'application/json' }, data: '{}' })).headers()['x-request-id'] !== undefined;
  const wrong: string[] = [];
  for (const route of prerendered) if (await ranOn(route)) wrong.push(`${route}: prerendered, but the proxy ran`);
  for (const route of perRequest) {
    if (!(await (OWN_REQUEST_ID.includes(route) ? ownIdOn : ranOn)(route))) wrong.push(`${route}: rendered per request, but no request id`);
  }
  expect(wrong).toEqual([]);
});

for (const pathname of OWN_REQUEST_ID) {
  test(`${pathname}: gives itself a request id (the proxy does not run there)`, async ({ request }) => {
    const post = (headers: Record<string, string>) =>
      request.post(pathname, { headers: { origin: 'https://attacker.example', 'content-type': 'application/json', ...headers }, data: '{}' });
    const kept = await post({ 'x-request-id': 'e2e-own-1' });
    expect(kept.status(), pathname).toBe(403);
    expect(kept.headers()['x-request-id'], `${pathname}: a sane incoming id is kept`).toBe('e2e-own-1');
    expect((await post({ 'x-request-id': 'bad id' })).headers()['x-request-id'] ?? '', `${pathname}: a bad id is replaced`).toMatch(/^[0-9a-f-]{36}$/);
    expect((await post({})).headers()['x-request-id'] ?? '', `${pathname}: an id is generated`).toMatch(/^[0-9a-f-]{36}$/);
  });
}

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
