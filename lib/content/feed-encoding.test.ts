import { describe, expect, it } from 'vitest';
import { ACCEPTS_GZIP_PATTERN } from './feed-encoding';

// As Next matches a `has` header value (next/dist/shared/lib/router/utils/prepare-destination.js).
const takesGzip = (accept: string) => new RegExp(`^${ACCEPTS_GZIP_PATTERN}$`).test(accept);

describe('which requests get the gzip file (feeds and pages)', () => {
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
});
