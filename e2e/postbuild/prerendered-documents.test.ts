/**
 * The home page, the articles and the feeds answered from the files scripts/prerendered-documents.mjs wrote
 * after the build (lib/content/document-encoding.ts), by the standalone server as the image runs
 * it: the very bytes Next prerendered, identity and gzip, with the headers Next's own answer
 * carried, 304s on the ETag; RSC requests (client navigation, prefetch) still answered by Next.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_SLUG } from '@/bench/context';
import { httpRequest, waitForHttp } from '@/testing/http';
import { freePort } from '@/testing/ports';
import type { Child } from '@/testing/processes';
import { containerEnv, copyStandalone, lastLines, startServer } from './support/standalone';

const PAGES = [
  { url: `/articles/${REFERENCE_SLUG}`, file: `articles/${REFERENCE_SLUG}.html` },
  { url: '/', file: 'index.html' },
];
const VARY = 'rsc, next-router-state-tree, next-router-prefetch, next-router-segment-prefetch, Accept-Encoding';

let copy: Awaited<ReturnType<typeof copyStandalone>>;
let server: Child;
let origin: string;
const get = (pathname: string, headers: Record<string, string> = {}, method = 'GET') => httpRequest(`${origin}${pathname}`, { headers, method, timeoutMs: 10_000 });

beforeAll(async () => {
  copy = await copyStandalone('prerendered-documents');
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  server = startServer('server.js', copy.dir, containerEnv({ PORT: String(port), HOSTNAME: '127.0.0.1', SHUTDOWN_DRAIN_SECONDS: '0' }));
  await waitForHttp(`${origin}/api/health/live`, { process: server });
});

afterAll(async () => {
  await server?.stop(1_000);
  await copy?.remove();
});

describe.each(PAGES)('$url from its prerendered file', ({ url, file }) => {
  const prerendered = () => readFile(path.join(copy.dir, '.next', 'server', 'app', file));

  it('identity: the bytes Next prerendered, with the page headers', async () => {
    const answer = await get(url);
    expect(answer.status, lastLines(server)).toBe(200);
    expect(answer.bytes.equals(await prerendered()), 'the identity answer is not the prerendered HTML').toBe(true);
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['cache-control'], 'the cache tier stores only what the app allows').toBe('s-maxage=31536000');
    expect(answer.headers.vary).toBe(VARY);
    expect(answer.headers['content-security-policy'], 'the security headers went missing').toContain("default-src 'self'");
    expect(answer.headers['x-request-id'], 'the proxy ran on a prerendered page').toBeUndefined();
    expect(answer.headers.etag).toBeTruthy();
  });

  it('gzip: the same bytes once decoded, labelled gzip', async () => {
    const answer = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(answer.bytes).equals(await prerendered()), 'the gzip answer decodes to another page').toBe(true);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('s-maxage=31536000');
    expect(answer.headers.vary).toBe(VARY);
  });

  it('answers 304 to its own ETag, in either encoding, and 200 to another', async () => {
    const encodings: Record<string, string>[] = [{}, { 'accept-encoding': 'gzip' }];
    for (const encoding of encodings) {
      const first = await get(url, encoding);
      const etag = String(first.headers.etag);
      const again = await get(url, { ...encoding, 'if-none-match': etag });
      expect(again.status, `If-None-Match ${etag} (${JSON.stringify(encoding)})`).toBe(304);
      expect(again.bytes.length).toBe(0);
      expect(again.headers.etag).toBe(etag);
      expect(again.headers['cache-control'], 'a 304 must carry Cache-Control').toBe('s-maxage=31536000');
      expect((await get(url, { ...encoding, 'if-none-match': '"another-build"' })).status).toBe(200);
    }
  });

  it('HEAD: the headers and no body', async () => {
    const answer = await get(url, {}, 'HEAD');
    expect(answer.status).toBe(200);
    expect(answer.bytes.length).toBe(0);
    expect(Number(answer.headers['content-length'])).toBe((await prerendered()).length);
  });

  it('a client navigation still gets the RSC payload from Next', async () => {
    const answer = await get(`${url}?_rsc`, { rsc: '1', 'accept-encoding': 'gzip' });
    expect(answer.status).toBe(200);
    expect(String(answer.headers['content-type'])).toMatch(/^text\/x-component/);
  });

  it('a prefetch goes to Next, not to the file', async () => {
    // Next answers it itself (200, or its own 307 to the _rsc these headers call for): never the HTML file.
    const answer = await get(`${url}?_rsc`, { rsc: '1', 'next-router-prefetch': '1', 'accept-encoding': 'gzip' });
    expect([200, 307]).toContain(answer.status);
    expect(String(answer.headers['content-type'] ?? '')).not.toMatch(/text\/html/);
    expect(answer.headers['content-encoding'] === 'gzip' && answer.headers['accept-ranges']).toBeFalsy();
  });
});

describe.each([
  { url: '/rss.xml', file: 'rss.xml.body', type: 'application/rss+xml; charset=utf-8' },
  { url: '/feed.json', file: 'feed.json.body', type: 'application/feed+json; charset=utf-8' },
])('$url from its prerendered file', ({ url, file, type }) => {
  it('identity and gzip: the bytes its route prerendered, with its type', async () => {
    const prerendered = await readFile(path.join(copy.dir, '.next', 'server', 'app', file));
    const identity = await get(url);
    expect(identity.status).toBe(200);
    expect(identity.bytes.equals(prerendered), 'identity').toBe(true);
    expect(identity.headers['content-type']).toBe(type);
    const gzip = await get(url, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.bytes).equals(prerendered), 'gzip').toBe(true);
    for (const answer of [identity, gzip]) {
      expect(answer.headers['cache-control']).toBe('s-maxage=31536000');
      expect(answer.headers.vary).toBe(VARY);
    }
  });
});

it('an unknown article is still the not-found page, 404, not stored for a year', async () => {
  const answer = await get('/articles/no-such-article-here');
  expect(answer.status).toBe(404);
  expect(answer.body, 'a bare 404, not the not-found page').toContain(`/articles/${REFERENCE_SLUG}`);
  expect(answer.headers['cache-control'] ?? '').not.toBe('s-maxage=31536000');
});
