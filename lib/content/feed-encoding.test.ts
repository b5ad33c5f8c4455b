import { describe, expect, it } from 'vitest';
import nextConfig from '../../next.config';
import { documentHeaders } from './document-encoding';
import { publishedSlugs } from './published-slugs';
import { ACCEPTS_GZIP_PATTERN, FEED_FILES, feedHeaders, feedRewrites, gzipFeedPath } from './feed-encoding';

// As Next matches a `has` header value (next/dist/shared/lib/router/utils/prepare-destination.js).
const takesGzip = (accept: string) => new RegExp(`^${ACCEPTS_GZIP_PATTERN}$`).test(accept);

describe('which requests get a feed gzipped at build', () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate, br, zstd', true],
    ['br;q=1.0, gzip;q=0.8, *;q=0.1', true],
    ['x-gzip', true],
    ['gzip;q=0.001', true],
    ['deflate, gzip;q=0.5', true],
    ['gzip;q=0', false],
    ['gzip; q=0.0', false],
    ['deflate, gzip;q=0, br', false],
    ['gzip;q=0,deflate', false],
    ['deflate', false],
    ['identity', false],
    ['', false],
  ])('Accept-Encoding %j: %s', (accept, expected) => {
    expect(takesGzip(accept)).toBe(expected);
  });

  it('rewrites and labels under one condition, for every feed and nothing else', () => {
    const rewrites = feedRewrites();
    const labels = feedHeaders().filter((rule) => 'has' in rule);
    expect(rewrites.map((r) => r.source)).toEqual(FEED_FILES.map((file) => `/${file}`));
    expect(rewrites.map((r) => r.destination)).toEqual(FEED_FILES.map(gzipFeedPath));
    // A rewrite without its label would send gzip bytes as text; a label without it, text as gzip.
    expect(labels.map((rule) => [rule.source, rule.has])).toEqual(rewrites.map((r) => [r.source, r.has]));
    for (const rule of feedHeaders()) expect(rule.headers).toEqual([{ key: 'Content-Encoding', value: 'gzip' }]);
  });

  it('is what next.config.ts installs', async () => {
    // Before the routes: /rss.xml has its own, and an afterFiles rewrite would never be reached
    // (the label would then go on the identity bytes).
    const rewrites = await nextConfig.rewrites!();
    expect(Array.isArray(rewrites) ? rewrites : (rewrites.beforeFiles ?? []).slice(0, feedRewrites().length)).toEqual(feedRewrites());
    // Last but the pages' own rules (lib/content/document-encoding.ts), which never name a feed.
    const headers = await nextConfig.headers!();
    const pageRules = documentHeaders(publishedSlugs()).length;
    expect(headers.slice(-(feedHeaders().length + pageRules), -pageRules)).toEqual(feedHeaders());
  });
});
