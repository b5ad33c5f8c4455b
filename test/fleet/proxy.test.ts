import { unstable_doesMiddlewareMatch } from 'next/experimental/testing/server';
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { config, proxy } from '@/proxy';

/** proxy.ts: every API request and dynamic page carries an x-request-id, to the route and back to the client. */

function run(headers: Record<string, string> = {}) {
  const response = proxy(new NextRequest('http://localhost/articles/x', { headers }));
  return {
    response: response.headers.get('x-request-id'),
    // What Next hands the route: NextResponse.next({ request: { headers } }) encodes it like this.
    forwarded: response.headers.get('x-middleware-request-x-request-id'),
    overridden: response.headers.get('x-middleware-override-headers'),
  };
}

describe('proxy', () => {
  it('generates an id when the request has none and sets it on the request and the response', () => {
    const { response, forwarded, overridden } = run();
    expect(response).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(forwarded).toBe(response);
    expect(overridden?.split(',')).toContain('x-request-id');
  });

  it('keeps a sane id from the balancer', () => {
    expect(run({ 'x-request-id': 'nginx-4f2a:17' })).toMatchObject({ response: 'nginx-4f2a:17', forwarded: 'nginx-4f2a:17' });
  });

  it('replaces an id that could forge or bloat a log line', () => {
    for (const bad of ['two words', 'x'.repeat(200), '{"level":"error"}']) {
      const { response, forwarded } = run({ 'x-request-id': bad });
      expect(response).not.toBe(bad);
      expect(forwarded).toBe(response);
    }
  });

  it('gives each request its own id', () => {
    expect(run().response).not.toBe(run().response);
  });

  it('runs on API routes (but the signup route) and the dynamic pages, never on prerendered pages, feeds or assets', () => {
    // Next's own matcher, as the server applies config.matcher.
    const matches = (url: string) => unstable_doesMiddlewareMatch({ config, url });
    for (const url of ['/api/health/ready', '/api/newsletter/confirm', '/api/newsletter/subscribe-more', '/api/newsletter/subscribe/x', '/search', '/search?q=raft', '/newsletter/confirm', '/newsletter/manage?token=x', '/newsletter/error', '/newsletter/data', '/newsletter/unsubscribe', '/dev/mailbox', '/dev/mailbox/1']) {
      expect(matches(url), url).toBe(true);
    }
    // The signup route sets its own id (app/api/newsletter/subscribe/route.ts): the proxy was a tenth of its CPU.
    for (const url of ['/api/newsletter/subscribe', '/', '/articles', '/articles/x', '/tags', '/tags/a', '/series/s', '/rss.xml', '/atom.xml', '/feed.json', '/sitemap.xml', '/robots.txt', '/manifest.webmanifest', '/newsletter/check-inbox', '/newsletter/confirmed', '/newsletter/unsubscribed', '/newsletter/deleted', '/favicon.ico', '/icon.svg', '/search-index/abc.json', '/searching', '/_next/static/chunks/a.js', '/_next/image', '/media/a.webp']) {
      expect(matches(url), url).toBe(false);
    }
  });
});
