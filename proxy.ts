import { NextResponse, type NextRequest } from 'next/server';
import { REQUEST_ID_HEADER, isValidRequestId, newRequestId } from '@/lib/log';

/**
 * Gives every API request and dynamic page an id (Next.js 16 "proxy", formerly middleware; Node.js runtime).
 *
 * The balancer's `x-request-id` is kept when it sends a sane one, so a line in the balancer's log
 * and the app's lines for the same request share an id; otherwise one is generated. It is set on
 * the request (route handlers read it with `requestLogger(request)`) and on the response (so a
 * reader reporting a problem, or a test, can quote it).
 */
export function proxy(request: NextRequest) {
  const incoming = request.headers.get(REQUEST_ID_HEADER);
  const requestId = isValidRequestId(incoming) ? incoming : newRequestId();

  const headers = new Headers(request.headers);
  headers.set(REQUEST_ID_HEADER, requestId);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}

export const config = {
  // Only what renders per request and can log: route handlers under /api and the dynamic pages.
  // Not the signup route: at signup rates the proxy was ~12% of the server's CPU (a second
  // NextRequest, a header copy, the middleware round in Next's router), so that route gives
  // itself the same id (lib/log.ts requestIdFor) and sets it on its answer.
  // Prerendered pages (the newsletter's static confirmations among them), feeds, the search index
  // files and assets are served with no proxy in front, as in an empty Next app. e2e/proxy.spec.ts
  // checks this list against the build's own manifests.
  matcher: ['/api/:path((?!newsletter/subscribe$).*)', '/search', '/newsletter/(confirm|data|error|manage|unsubscribe)', '/dev/:path*'],
};
