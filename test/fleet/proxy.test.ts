import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { config, proxy } from '@/proxy';

/** proxy.ts: every page and API request carries an x-request-id, to the route and back to the client. */

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

  it('runs on pages and API routes but not on build assets', () => {
    const [source] = config.matcher;
    const matches = (pathname: string) => new RegExp(`^${source}$`).test(pathname);
    for (const pathname of ['/', '/articles/x', '/api/newsletter/subscribe', '/api/health/ready', '/rss.xml', '/tags/a']) {
      expect(matches(pathname), pathname).toBe(true);
    }
    for (const pathname of ['/_next/static/chunks/a.js', '/_next/image', '/favicon.ico', '/fonts/x.woff2', '/a.css']) {
      expect(matches(pathname), pathname).toBe(false);
    }
  });
});
