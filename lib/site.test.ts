import { describe, expect, it } from 'vitest';
import { parseEnv } from './env';
import { absoluteUrl, paths, siteUrlFrom } from './site';

const siteUrlOf = (raw: string | undefined) => {
  const { env, issues } = parseEnv({ SITE_URL: raw });
  return siteUrlFrom(env, issues);
};

describe('site URL', () => {
  it('defaults to http://localhost:3000 and never ends with a slash', () => {
    expect(siteUrlOf(undefined)).toBe('http://localhost:3000');
    expect(siteUrlOf('')).toBe('http://localhost:3000');
    expect(siteUrlOf('https://example.com/')).toBe('https://example.com');
    expect(siteUrlOf(' https://example.com/blog// ')).toBe('https://example.com/blog');
  });

  it('rejects anything but an http(s) URL, loudly (it is baked into feeds at build time)', () => {
    expect(() => siteUrlOf('example.com')).toThrow('SITE_URL is invalid: an http(s):// URL, such as https://example.com');
    expect(() => siteUrlOf('ftp://example.com')).toThrow('SITE_URL');
  });
});

describe('absoluteUrl', () => {
  it('joins a path to the base, keeping a base path', () => {
    expect(absoluteUrl(paths.article('raft'), 'https://example.com')).toBe('https://example.com/articles/raft');
    expect(absoluteUrl('rss.xml', 'https://example.com/')).toBe('https://example.com/rss.xml');
    expect(absoluteUrl('/', 'https://example.com/blog')).toBe('https://example.com/blog/');
    expect(absoluteUrl('/tags/x', 'https://example.com/blog')).toBe('https://example.com/blog/tags/x');
  });
});
