import { NextResponse } from 'next/server';
import { isDatabaseUnavailableError } from '../db';
import { NO_STORE } from '../http/cache-control';
import { crossSiteVerdict } from '../http/cross-site';
import { requestIdOf } from '../log';
import { InvalidSubscriptionError, NewsletterUnavailableError, RateLimitedError } from './errors';
import { log } from './log';
import { subscribeErrorPath, type SubscribeErrorReason } from './paths';

/**
 * Request parsing and answers shared by the newsletter's route handlers, which stay thin:
 * parse → call the service → map errors. Bodies are read with a hard limit (Content-Length is
 * checked first, then the bytes actually read, since the header can be absent or lie).
 */

export const MAX_BODY_BYTES = 8 * 1024;

export type BodyKind = 'json' | 'urlencoded' | 'multipart';

/** An answer decided while parsing (413, 415, 400 for broken JSON). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function mediaType(request: Request): string {
  return (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

export function bodyKindOf(request: Request): BodyKind | null {
  switch (mediaType(request)) {
    case 'application/json':
      return 'json';
    case 'application/x-www-form-urlencoded':
      return 'urlencoded';
    case 'multipart/form-data':
      return 'multipart';
    default:
      return null;
  }
}

const tooLarge = () => new HttpError(413, 'too-large', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);

/** The body's bytes, refusing (413) anything over `limit` by header or by count. */
export async function readBodyBytes(request: Request, limit: number = MAX_BODY_BYTES): Promise<Uint8Array<ArrayBuffer>> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw tooLarge();
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

export type ParsedBody = { kind: BodyKind | 'empty'; fields: Record<string, unknown> };

/**
 * Reads and parses a JSON, urlencoded or multipart body (string fields only; files are ignored).
 * 415 for another content type, unless the body is empty and `allowEmpty` (a one-click
 * unsubscribe may arrive without one); 413 when too large; 400 for malformed JSON.
 */
export async function parseBody(request: Request, options: { allowEmpty?: boolean } = {}): Promise<ParsedBody> {
  const kind = bodyKindOf(request);
  if (kind === null) {
    const bytes = await readBodyBytes(request);
    if (bytes.byteLength === 0 && options.allowEmpty) return { kind: 'empty', fields: {} };
    throw new HttpError(415, 'unsupported-media-type', 'Send application/json or a form (application/x-www-form-urlencoded or multipart/form-data).');
  }
  const bytes = await readBodyBytes(request);
  const text = new TextDecoder().decode(bytes);
  if (kind === 'json') {
    // Only a body with no bytes at all means "no fields": whitespace is malformed JSON, so an
    // endpoint that acts on an empty body (announce) never acts on a stray space.
    if (bytes.byteLength === 0 && options.allowEmpty) return { kind: 'empty', fields: {} };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'invalid-json', 'The request body is not valid JSON.');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new HttpError(400, 'invalid-json', 'The request body must be a JSON object.');
    }
    return { kind, fields: value as Record<string, unknown> };
  }
  if (kind === 'urlencoded') {
    return { kind, fields: Object.fromEntries(new URLSearchParams(text)) };
  }
  let form: FormData;
  try {
    // Re-parse the bytes we already counted with the platform's multipart parser.
    form = await new Response(bytes, { headers: { 'content-type': request.headers.get('content-type') ?? '' } }).formData();
  } catch {
    throw new HttpError(400, 'invalid-form', 'The form data could not be read.');
  }
  const fields: Record<string, unknown> = {};
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string' && !(name in fields)) fields[name] = value;
  }
  return { kind, fields };
}

/** A browser-facing POST, opened: its body, whether to answer in JSON, and how to answer an error. */
export type BrowserPost = { body: ParsedBody; json: boolean; fail: (err: unknown) => Response };

/**
 * The opening every browser-facing POST shares (confirm, data, data-request): refuse a cross-site
 * request, read the body; errors answer as JSON or as a redirect to a page, as the caller asked.
 * A Response here is the answer already (403, or a 4xx for the body).
 */
export async function openBrowserPost(request: Request, route: string): Promise<BrowserPost | Response> {
  const refused = crossSiteRefusal(request, route);
  if (refused) return refused;
  let body: ParsedBody | undefined;
  const fail = (err: unknown) => (wantsJson(request, body) ? errorJson(err, route) : errorRedirect(err, route));
  try {
    body = await parseBody(request);
  } catch (err) {
    return fail(err);
  }
  return { body, json: wantsJson(request, body), fail };
}

/** A string field, or undefined. */
export function field(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * 403 for a state-changing request a browser sent from another site (lib/http/cross-site.ts says
 * which and why); null when it may go on. Nothing has been read or written when it answers.
 * `requestId`: for a route the proxy does not run for, the id the route chose itself.
 */
export function crossSiteRefusal(request: Request, route: string, requestId: string | undefined = requestIdOf(request)): Response | null {
  const verdict = crossSiteVerdict(request);
  if (verdict.allowed) return null;
  // The request id ties the line to the balancer's and the cache tier's access logs.
  log.warn('cross-site-refused', { route, reason: verdict.reason, requestId });
  return jsonResponse({ ok: false, error: 'This request came from another site and was refused.', code: 'cross-site' }, 403);
}

/** Whether the caller wants JSON rather than a redirect: a JSON body or Accept: application/json. */
export function wantsJson(request: Request, body?: ParsedBody): boolean {
  if (body?.kind === 'json' || bodyKindOf(request) === 'json') return true;
  return /\bapplication\/json\b/i.test(request.headers.get('accept') ?? '');
}


export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): NextResponse {
  return NextResponse.json(body, { status, headers: { ...NO_STORE, ...headers } });
}

/**
 * 303 See Other to a path of this site. The Location is relative (RFC 9110 allows it), so the
 * browser stays on whatever origin it used, behind any proxy.
 */
export function seeOther(path: string): Response {
  return new Response(null, { status: 303, headers: { Location: path, ...NO_STORE } });
}

export type ErrorAnswer = { status: number; code: string; message: string; headers: Record<string, string>; fieldErrors?: Record<string, string[]> };

/**
 * Maps any error to the answer a route gives. Domain errors carry safe messages; the real cause of
 * a 503 was logged by the service; anything unexpected is logged here and answered with a 500
 * that says nothing about the internals.
 */
export function errorAnswer(err: unknown, route: string): ErrorAnswer {
  if (err instanceof HttpError) return { status: err.status, code: err.code, message: err.message, headers: {} };
  if (err instanceof InvalidSubscriptionError) {
    return { status: 400, code: 'invalid-email', message: err.message, headers: {}, fieldErrors: err.fieldErrors };
  }
  if (err instanceof RateLimitedError) {
    return { status: 429, code: 'rate-limited', message: err.message, headers: { 'Retry-After': String(err.retryAfterSeconds) } };
  }
  if (err instanceof NewsletterUnavailableError) {
    return { status: 503, code: err.reason === 'database' ? 'unavailable' : 'not-configured', message: err.message, headers: { 'Retry-After': '60' } };
  }
  if (isDatabaseUnavailableError(err)) {
    log.warn('database-unavailable', { route, err });
    return { status: 503, code: 'unavailable', message: new NewsletterUnavailableError('database').message, headers: { 'Retry-After': '60' } };
  }
  log.error('unexpected-error', { route, err });
  return { status: 500, code: 'internal', message: 'Something went wrong on our side. Please try again later.', headers: {} };
}

export function errorJson(err: unknown, route: string): NextResponse {
  const answer = errorAnswer(err, route);
  return jsonResponse(
    { ok: false, error: answer.message, code: answer.code, ...(answer.fieldErrors ? { fieldErrors: answer.fieldErrors } : {}) },
    answer.status,
    answer.headers,
  );
}

const REASON_BY_CODE: Record<string, SubscribeErrorReason> = {
  'invalid-email': 'invalid-email',
  'rate-limited': 'rate-limited',
  'too-large': 'too-large',
};

/** For browser form posts: a 303 to the error page with a reason it knows (logging as errorAnswer does). */
export function errorRedirect(err: unknown, route: string): Response {
  const answer = errorAnswer(err, route);
  return seeOther(subscribeErrorPath(REASON_BY_CODE[answer.code] ?? 'unavailable'));
}
