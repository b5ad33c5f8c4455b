import { describe, expect, it } from 'vitest';
// Next's own matcher for `has` / `missing` (what the router runs on every request).
import { matchHas } from 'next/dist/shared/lib/router/utils/prepare-destination';
import nextConfig from '../../next.config';
import { DOCUMENTS_DIR as SCRIPT_DOCUMENTS_DIR } from '../../scripts/prerendered-documents.mjs';
import { DOCUMENTS_DIR, documentHeaders as headersFor, documentRewrites as rewritesFor, documentRoutes } from './document-encoding';
import { publishedSlugs } from './published-slugs';

const SLUGS = ['understanding-distributed-systems', 'idempotency-keys-and-retries'];
const ARTICLES = `/articles/:slug(${SLUGS.join('|')})`;
const documentRewrites = () => rewritesFor(SLUGS);
const documentHeaders = () => headersFor(SLUGS);

type Rule = ReturnType<typeof rewritesFor>[number];

/** The destination Next would pick for a request to `source` (the first rewrite whose conditions hold). */
function destinationFor(source: string, headers: Record<string, string>, query: Record<string, string> = {}) {
  const rule = documentRewrites().find((r: Rule) => r.source === source && matchHas({ headers } as never, query, 'has' in r ? r.has : [], r.missing) !== false);
  return rule?.destination;
}

describe('which requests are answered from the prerendered files', () => {
  it.each([
    ['a reader without Accept-Encoding gets the identity file', {}, {}, '/_next/static/prerendered/articles/:slug.html'],
    ['a reader taking gzip gets the gzip file', { 'accept-encoding': 'gzip, deflate, br' }, {}, '/_next/static/prerendered/articles/:slug.html.gz'],
    ['a reader refusing gzip gets the identity file', { 'accept-encoding': 'gzip;q=0, br' }, {}, '/_next/static/prerendered/articles/:slug.html'],
    ['a client navigation (rsc header) goes to Next', { rsc: '1', 'accept-encoding': 'gzip' }, { _rsc: 'abc' }, undefined],
    ['a prefetch goes to Next', { rsc: '1', 'next-router-prefetch': '1' }, {}, undefined],
    ['a segment prefetch goes to Next', { 'next-router-segment-prefetch': '/_tree' }, {}, undefined],
    ['a request with the router state goes to Next', { 'next-router-state-tree': '%5B%5D' }, {}, undefined],
    ['an _rsc query without headers goes to Next', {}, { _rsc: 'abc' }, undefined],
  ])('%s', (_name, headers, query, expected) => {
    expect(destinationFor(ARTICLES, headers, query)).toBe(expected);
  });

  it('labels every rewritten answer under the very same condition, gzip ones as gzip', () => {
    const rewrites = documentRewrites();
    const labels = documentHeaders();
    expect(labels.map((l) => [l.source, 'has' in l ? l.has : undefined, l.missing])).toEqual(rewrites.map((r) => [r.source, 'has' in r ? r.has : undefined, r.missing]));
    for (const [i, rule] of rewrites.entries()) {
      const names = labels[i]!.headers.map((h) => h.key);
      expect(names.includes('Content-Encoding'), `${rule.destination}: labelled gzip or not`).toBe(rule.destination.endsWith('.gz'));
      expect(names).toEqual(expect.arrayContaining(['Content-Type', 'Cache-Control', 'Vary']));
    }
    expect(rewrites.map((r) => r.source)).toEqual(documentRoutes(SLUGS).flatMap((r) => [r.source, r.source]));
    expect(rewrites.map((r) => r.source)).toEqual(['/', '/', ARTICLES, ARTICLES, ...['/rss.xml', '/atom.xml', '/feed.json'].flatMap((f) => [f, f])]);
  });

  it('a feed: gzip or identity by Accept-Encoding alone, with its own type', () => {
    const feed = (headers: Record<string, string>) =>
      documentRewrites().find((r: Rule) => r.source === '/rss.xml' && matchHas({ headers } as never, {}, 'has' in r ? r.has : [], r.missing) !== false)?.destination;
    expect(feed({ 'accept-encoding': 'gzip' })).toBe('/_next/static/prerendered/rss.xml.gz');
    expect(feed({})).toBe('/_next/static/prerendered/rss.xml');
    expect(feed({ 'accept-encoding': 'gzip;q=0' })).toBe('/_next/static/prerendered/rss.xml');
    const label = documentHeaders().find((h) => h.source === '/rss.xml')!;
    expect(label.headers).toContainEqual({ key: 'Content-Type', value: 'application/rss+xml; charset=utf-8' });
  });

  it('names the folder the post-build script writes', () => {
    expect(SCRIPT_DOCUMENTS_DIR).toBe(DOCUMENTS_DIR);
    for (const rule of documentRewrites()) expect(rule.destination.startsWith(`/_next/static/${DOCUMENTS_DIR}/`)).toBe(true);
  });

  it('is what next.config.ts installs, for the published articles', async () => {
    const published = publishedSlugs();
    expect(published.length, 'content/ has published articles').toBeGreaterThan(0);
    const rewrites = await nextConfig.rewrites!();
    expect(rewrites).toEqual({ beforeFiles: rewritesFor(published), afterFiles: [], fallback: [] });
    expect((await nextConfig.headers!()).slice(-headersFor(published).length)).toEqual(headersFor(published));
  });

  it('leaves any other article URL to Next (its not-found page), and serves / even with no article', () => {
    const source = new RegExp(`^${ARTICLES.replace('/articles/:slug', '/articles/')}$`);
    expect(source.test('/articles/understanding-distributed-systems')).toBe(true);
    expect(source.test('/articles/a-draft')).toBe(false);
    expect(rewritesFor([]).map((r) => r.source).slice(0, 3)).toEqual(['/', '/', '/rss.xml']);
  });
});
