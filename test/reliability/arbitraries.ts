import fc from 'fast-check';
import { peerChain, peerChainHeader } from '@/lib/http/peer-address';
import { emailSchema, subscribeSchema } from '@/lib/validations/newsletter';

/**
 * fast-check generators of hostile HTTP input for the route handlers: bodies (JSON objects and
 * non-objects, broken JSON, forms, multipart with good and bad boundaries, binary, oversized,
 * empty), headers (content-type, content-length lies, accept, authorization, forged and malformed
 * X-Forwarded-For chains behind a random socket address, Origin and Fetch Metadata)
 * and raw query strings. Every request they describe is *invalid* for the route it targets (a
 * bad address, a token that matches nothing, a wrong secret, a bad envelope around good data), so
 * the properties can demand that nothing in the database changes.
 *
 * A request is a plain object (not a Request) so fast-check prints a counterexample readably.
 */

export type BodySpec =
  | { kind: 'none' }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: number[] };

export type RequestSpec = {
  method: 'GET' | 'POST';
  /** Raw query string, appended after `?` as is (may hold %-garbage, #, unicode). */
  query: string;
  headers: Record<string, string>;
  body: BodySpec;
};

export const BODY_LIMIT = 8 * 1024;

// ---------------------------------------------------------------------------------------------
// Small pieces

/** Printable ASCII plus some Latin-1: what a header value may hold (no CR, LF or NUL). */
const headerChar = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xa0, max: 0xff }) },
  { weight: 1, arbitrary: fc.constant(0x09) },
).map((code) => String.fromCharCode(code));
export const headerValue = fc.string({ unit: headerChar, maxLength: 80 });

/** Any string, including lone surrogates, control characters and emoji. */
const anyString = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);

const FIELD_NAMES = ['email', 'token', '_action', 'action', 'website', 'source', 'List-Unsubscribe', '__proto__', 'constructor'];
const fieldName = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...FIELD_NAMES) }, { weight: 1, arbitrary: anyString });

export const contentType = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/json;',
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded; charset=utf-16',
      'multipart/form-data',
      'multipart/form-data; boundary=',
      'multipart/form-data; boundary=xyz',
      'text/plain',
      'text/html',
      'application/xml',
      'application/octet-stream',
      'application/jsonx',
      'json',
      ';',
      '',
      'application/json, text/plain',
    ),
  },
  { weight: 1, arbitrary: headerValue },
);

export const accept = fc.constantFrom(
  'application/json',
  'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  '*/*',
  '',
  'application/json;q=0',
  'APPLICATION/JSON',
  'text/plain',
  'application/jsonp',
);

/** Content-Length values that do not tell the truth (or are not numbers at all). */
const contentLengthLie = (actual: number) =>
  fc.oneof(
    fc.constantFrom('0', '-1', 'abc', '1e9', '99999999999999999999', ' 5', String(BODY_LIMIT + 1), '1.5', '0x10', ''),
    fc.integer({ min: 0, max: 20_000 }).filter((n) => n !== actual).map(String),
    fc.constant(String(actual + 1)),
    fc.constant(String(Math.max(0, actual - 1))),
  );

/** Raw query strings: valid pairs, %-garbage, separators, fragments, unicode, very long values. */
export function queryString(values: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const pair = fc.oneof(
    fc.tuple(fieldName, values).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`),
    fc.tuple(fc.constantFrom('token', 'error', 'reason', '_action'), anyString).map(([k, v]) => `${k}=${v}`),
    fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '&&&', '=', 'token', 'token=', 'token=%20', '#frag', '?', '%2', '+'),
  );
  return fc.array(pair, { maxLength: 4 }).map((pairs) => pairs.join('&'));
}

// ---------------------------------------------------------------------------------------------
// Field values

/** Strings that are not valid addresses (checked against the very schema the route uses). */
export const invalidEmail: fc.Arbitrary<unknown> = fc
  .oneof(
    anyString,
    fc.emailAddress().chain((email) =>
      fc.constantFrom(
        email.replace('@', ''),
        email.replace('@', '@@'),
        `${email} x`,
        `x ${email}`.replace(' ', '\u0000'),
        `<${email}>`,
        `${email},${email}`,
        `${'a'.repeat(250)}${email}`,
        email.replace(/\.[^.]*$/, '.'),
        `${email}\n`.replace('@', '\n@'),
      ),
    ),
    fc.constantFrom('', ' ', '@', 'a@', '@example.com', 'a@b', 'a@b.', 'a b@example.com', 'a@exa mple.com', 'a@-example.com'),
    fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.emailAddress(), { maxLength: 2 }), fc.object({ maxDepth: 1 })),
  )
  .filter((value) => !emailSchema.safeParse(value).success && !emailSchema.safeParse(String(value)).success);

/** A token that matches nothing: random shapes, random well-formed ones, and mutants of real ones. */
export function invalidToken(realTokens: readonly string[]): fc.Arbitrary<string> {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const wellFormed = fc.string({ unit: fc.constantFrom(...alphabet), minLength: 43, maxLength: 43 });
  const mutant =
    realTokens.length === 0
      ? wellFormed
      : fc.tuple(fc.constantFrom(...realTokens), fc.nat(42), fc.constantFrom(...alphabet)).chain(([token, index, char]) =>
          fc.constantFrom(
            // One character changed (never to itself).
            token.slice(0, index) + (token[index] === char ? (char === 'A' ? 'B' : 'A') : char) + token.slice(index + 1),
            token.slice(0, -1),
            `${token}A`,
            `${token.slice(0, index)} ${token.slice(index + 1)}`,
            token.toUpperCase() === token ? `${token.slice(0, -1)}a` : token.toUpperCase(),
            `${token}\u0000`,
            token.split('').reverse().join(''),
          ),
        );
  return fc
    .oneof(anyString, wellFormed, mutant, fc.constantFrom('', ' ', 'null', 'undefined', '[object Object]', 'A'.repeat(5000)))
    .filter((value) => !realTokens.includes(value.trim()));
}

// ---------------------------------------------------------------------------------------------
// Bodies

type Fields = Record<string, unknown>;

function multipart(fields: Array<[string, string]>, boundary: string, broken: 'no' | 'no-end' | 'wrong-boundary'): string {
  const used = broken === 'wrong-boundary' ? `${boundary}x` : boundary;
  const parts = fields.map(([name, value]) => `--${used}\r\nContent-Disposition: form-data; name="${name.replace(/"/g, '%22')}"\r\n\r\n${value}\r\n`);
  return parts.join('') + (broken === 'no-end' ? '' : `--${used}--\r\n`);
}

/**
 * A body with a matching (or deliberately mismatched) content-type, built from `fields`, plus the
 * envelopes that break it: oversized, binary, broken JSON, JSON that is not an object, empty.
 */
export function bodyAndType(fields: fc.Arbitrary<Fields>): fc.Arbitrary<{ body: BodySpec; contentType?: string }> {
  const asStrings = (f: Fields): Array<[string, string]> =>
    Object.entries(f).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? 'undefined']);
  const text = (value: string): BodySpec => ({ kind: 'text', text: value });
  return fc.oneof(
    { weight: 4, arbitrary: fields.map((f) => ({ body: text(JSON.stringify(f)), contentType: 'application/json' })) },
    { weight: 3, arbitrary: fields.map((f) => ({ body: text(new URLSearchParams(asStrings(f)).toString()), contentType: 'application/x-www-form-urlencoded' })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fields, fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,40}$/), fc.constantFrom('no', 'no-end', 'wrong-boundary') as fc.Arbitrary<'no' | 'no-end' | 'wrong-boundary'>)
        .map(([f, boundary, broken]) => ({ body: text(multipart(asStrings(f), boundary, broken)), contentType: `multipart/form-data; boundary=${boundary}` })),
    },
    // The same data with a content-type that does not match it.
    { weight: 2, arbitrary: fc.tuple(fields, contentType).map(([f, type]) => ({ body: text(JSON.stringify(f)), contentType: type })) },
    // JSON that is not an object, and JSON that is not JSON.
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => ({ body: text(JSON.stringify(v)), contentType: 'application/json' })) },
    { weight: 1, arbitrary: fc.tuple(fields, fc.nat()).map(([f, cut]) => { const json = JSON.stringify(f); return { body: text(json.slice(0, cut % Math.max(1, json.length))), contentType: 'application/json' }; }) },
    { weight: 1, arbitrary: fc.tuple(anyString, fc.option(contentType, { nil: undefined })).map(([s, type]) => ({ body: text(s), contentType: type })) },
    { weight: 1, arbitrary: fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.option(contentType, { nil: undefined })).map(([bytes, type]) => ({ body: { kind: 'bytes', bytes: [...bytes] } as BodySpec, contentType: type })) },
    // Over the limit: the valid-looking data padded past 8 KiB (the route must refuse it before parsing).
    {
      weight: 1,
      arbitrary: fc.tuple(fields, fc.integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT * 3 }), fc.constantFrom('application/json', 'application/x-www-form-urlencoded')).map(([f, size, type]) => {
        const padded = type === 'application/json' ? JSON.stringify({ ...f, pad: 'x'.repeat(size) }) : `${new URLSearchParams(asStrings(f)).toString()}&pad=${'x'.repeat(size)}`;
        return { body: text(padded), contentType: type };
      }),
    },
    { weight: 1, arbitrary: fc.option(contentType, { nil: undefined }).map((type) => ({ body: { kind: 'none' } as BodySpec, contentType: type })) },
  );
}

export function bodyLength(body: BodySpec): number {
  if (body.kind === 'none') return 0;
  if (body.kind === 'bytes') return body.bytes.length;
  return Buffer.byteLength(body.text);
}

const port = fc.integer({ min: 0, max: 70_000 });

/** One X-Forwarded-For entry as a client, a proxy or a broken proxy might write it. */
const forwardedEntry = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4().map((address) => `::ffff:${address}`),
  fc.tuple(fc.ipV4(), port).map(([address, p]) => `${address}:${p}`),
  fc.tuple(fc.ipV6(), port).map(([address, p]) => `[${address}]:${p}`),
  fc.constantFrom('unknown', '_hidden', '', ' ', '999.1.1.1', '1', '0x7f.1', '1.2.3', 'fe80::1%eth0', '::', '127.0.0.1', '[::1', '::ffff:', 'for=192.0.2.60'),
  headerValue,
);

/** Forged and malformed X-Forwarded-For: one entry, or a long chain with odd separators. */
export const forwardedFor = fc.oneof(
  forwardedEntry,
  fc.array(forwardedEntry, { minLength: 2, maxLength: 40 }).chain((entries) => fc.constantFrom(',', ', ', ' , ', ',,').map((sep) => entries.join(sep))),
);

/** The TCP peer a request arrives from, as Node reports it (IPv4 on a dual-stack socket is mapped). */
const socketAddress = fc.oneof(fc.ipV4(), fc.ipV4().map((address) => `::ffff:${address}`), fc.ipV6());

/** Where a browser says the request comes from: absent, this site, another site, broken. */
const originHeaders = fc.oneof(
  { weight: 4, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.constantFrom('same-origin', 'none').map((site): Record<string, string> => ({ 'sec-fetch-site': site })) },
  { weight: 1, arbitrary: fc.constant({ origin: 'http://localhost:3000' }) },
  { weight: 1, arbitrary: headerValue.map((origin): Record<string, string> => ({ origin })) },
);

/** Headers around a body: its content-type (sometimes dropped), a Content-Length that may lie, accept, forwarded-for, extras. */
export function headersFor(
  body: BodySpec,
  type: string | undefined,
  extra: fc.Arbitrary<Record<string, string>> = fc.constant({}),
): fc.Arbitrary<Record<string, string>> {
  return fc
    .record(
      {
        contentType: fc.oneof({ weight: 6, arbitrary: fc.constant(type) }, { weight: 1, arbitrary: fc.constant(undefined) }),
        contentLength: fc.option(contentLengthLie(bodyLength(body)), { nil: undefined, freq: 3 }),
        accept: fc.option(accept, { nil: undefined }),
        forwardedFor: fc.option(forwardedFor, { nil: undefined }),
        // Undefined: the request reached the server before the peer-address hook (client unknown).
        socket: fc.option(socketAddress, { nil: undefined, freq: 8 }),
        origin: originHeaders,
        extra,
      },
      { requiredKeys: ['contentType', 'contentLength', 'accept', 'forwardedFor', 'socket', 'origin', 'extra'] },
    )
    .map(({ contentType: ct, contentLength, accept: acc, forwardedFor: xff, socket, origin, extra: more }) => {
      const headers: Record<string, string> = { ...origin, ...more };
      if (ct !== undefined) headers['content-type'] = ct;
      if (contentLength !== undefined) headers['content-length'] = contentLength;
      if (acc !== undefined) headers.accept = acc;
      if (xff !== undefined) headers['x-forwarded-for'] = xff;
      // What the real server's hook (lib/http/peer-address.ts) would write for this request.
      if (socket !== undefined) headers[peerChainHeader()] = peerChain(xff, socket);
      return headers;
    });
}

/** A whole POST: body, headers and query string. */
export function postRequest(
  fields: fc.Arbitrary<Fields>,
  options: { query?: fc.Arbitrary<string>; extraHeaders?: fc.Arbitrary<Record<string, string>> } = {},
): fc.Arbitrary<RequestSpec> {
  return bodyAndType(fields).chain(({ body, contentType: type }) =>
    fc.record({
      method: fc.constant('POST' as const),
      query: options.query ?? fc.constant(''),
      headers: headersFor(body, type, options.extraHeaders),
      body: fc.constant(body),
    }),
  );
}

/** A GET: no body, any headers, a hostile query string. */
export function getRequest(query: fc.Arbitrary<string>, extraHeaders?: fc.Arbitrary<Record<string, string>>): fc.Arbitrary<RequestSpec> {
  return fc.record({
    method: fc.constant('GET' as const),
    query,
    headers: headersFor({ kind: 'none' }, undefined, extraHeaders),
    body: fc.constant({ kind: 'none' } as BodySpec),
  });
}

/** Fields with `required` merged over arbitrary extra fields (which may hold any JSON). */
export function fieldsWith(required: fc.Arbitrary<Fields>): fc.Arbitrary<Fields> {
  return fc
    .tuple(fc.dictionary(fieldName, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), required)
    .map(([extra, req]) => ({ ...extra, ...req }));
}

/**
 * Signups that must not write anything: a bad address (any field around it), or a good address
 * with the honeypot filled in (a bot: answered like success, nothing stored).
 */
export const invalidSignupFields: fc.Arbitrary<Fields> = fc.oneof(
  {
    weight: 4,
    // An extra random field could in theory spell a valid "email"; the filter keeps the promise.
    arbitrary: fieldsWith(fc.record({ email: invalidEmail }, { requiredKeys: [] })).filter((f) => !wouldSubscribe(f) && !wouldSubscribe(stringified(f))),
  },
  {
    weight: 1,
    arbitrary: fieldsWith(fc.record({ email: fc.emailAddress(), website: fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== '') })),
  },
);

/**
 * The envelope must not turn a bad signup into a good one; a good address may only appear inside
 * an envelope the route refuses (wrong type, too large, broken JSON), never as a valid signup.
 */
export const invalidSignupWithValidEmailInside: fc.Arbitrary<RequestSpec> = fc
  .tuple(
    fc.emailAddress(),
    fc.oneof(
      fc.constantFrom('text/plain', 'application/xml', 'application/jsonx', 'json', '', 'text/json'),
      fc.constant('oversize'),
      fc.constant('broken-json'),
    ),
    fc.option(accept, { nil: undefined }),
  )
  .map(([email, envelope, acc]) => {
    const json = JSON.stringify({ email });
    const headers: Record<string, string> = {};
    if (acc !== undefined) headers.accept = acc;
    let text = json;
    if (envelope === 'oversize') {
      headers['content-type'] = 'application/json';
      text = JSON.stringify({ email, pad: 'x'.repeat(BODY_LIMIT) });
    } else if (envelope === 'broken-json') {
      headers['content-type'] = 'application/json';
      text = `${json.slice(0, -1)},`;
    } else if (envelope !== '') {
      headers['content-type'] = envelope;
    }
    return { method: 'POST' as const, query: '', headers, body: { kind: 'text' as const, text } };
  });

function stringified(fields: Fields): Fields {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? 'undefined']));
}

/** Whether fields would be a valid signup (read as JSON, or with every value a string as in a form). */
export function wouldSubscribe(fields: Fields): boolean {
  const website = fields.website;
  return subscribeSchema.safeParse(fields).success && !(typeof website === 'string' && website.trim() !== '');
}

export function toRequest(origin: string, path: string, spec: RequestSpec): Request {
  const url = `${origin}${path}${spec.query ? `?${spec.query}` : ''}`;
  const body = spec.body.kind === 'none' ? undefined : spec.body.kind === 'text' ? spec.body.text : new Uint8Array(spec.body.bytes);
  return new Request(url, { method: spec.method, headers: spec.headers, body: spec.method === 'GET' ? undefined : body });
}
