import { describe, expect, it } from 'vitest';
import { absoluteUrl, parseSiteUrl, paths } from './site';

describe('site URL', () => {
  it('defaults to http://localhost:3000 and never ends with a slash', () => {
    expect(parseSiteUrl(undefined)).toBe('http://localhost:3000');
    expect(parseSiteUrl('')).toBe('http://localhost:3000');
    expect(parseSiteUrl('https://example.com/')).toBe('https://example.com');
    expect(parseSiteUrl(' https://example.com/blog// ')).toBe('https://example.com/blog');
  });

  it('rejects anything but an http(s) URL', () => {
    expect(() => parseSiteUrl('example.com')).toThrow('SITE_URL: expected an http(s) URL such as https://example.com, got "example.com"');
    expect(() => parseSiteUrl('ftp://example.com')).toThrow('SITE_URL');
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
