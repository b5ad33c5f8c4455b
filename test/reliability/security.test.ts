import { describe, expect, it, vi } from 'vitest';

/**
 * Security checks that need no server: the headers next.config.ts sends, the tokens (unguessable:
 * 32 bytes from crypto.randomBytes, base64url, never repeating), and constant-time comparison of
 * hashes and secrets (timingSafeEqual, and no throw on different lengths, which timingSafeEqual
 * itself would do).
 */

const crypto = vi.hoisted(() => ({ randomBytes: undefined as unknown as ReturnType<typeof vi.fn>, timingSafeEqual: undefined as unknown as ReturnType<typeof vi.fn> }));
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  crypto.randomBytes = vi.fn(actual.randomBytes);
  crypto.timingSafeEqual = vi.fn(actual.timingSafeEqual);
  const mocked = { ...actual, randomBytes: crypto.randomBytes, timingSafeEqual: crypto.timingSafeEqual };
  return { ...mocked, default: mocked };
});

import nextConfig from '@/next.config';
import { documentHeaders } from '@/lib/content/document-encoding';
import { publishedSlugs } from '@/lib/content/published-slugs';
import { contentSecurityPolicy, securityHeaders } from '@/lib/security-headers';
import {
  createManageToken,
  generateConfirmationToken,
  hashesEqual,
  hashToken,
  TOKEN_BYTES,
  verifyManageToken,
} from '@/lib/newsletter/tokens';

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((part) => {
    const [name, ...sources] = part.trim().split(/\s+/);
    return [name!, sources] as [string, string[]];
  }));
}

describe('security headers', () => {
  it('production: a CSP without unsafe-eval that keeps everything to this origin', () => {
    const csp = directives(contentSecurityPolicy({ nodeEnv: 'production' }));
    expect(csp.get('script-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect([...csp.values()].flat()).not.toContain("'unsafe-eval'");
    expect(Object.fromEntries(csp)).toMatchObject({
      'default-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:'],
      'font-src': ["'self'"],
      'connect-src': ["'self'"],
      'frame-ancestors': ["'none'"],
      'base-uri': ["'self'"],
      'form-action': ["'self'"],
      'object-src': ["'none'"],
    });
    // No host, scheme or wildcard beyond data: images.
    expect([...csp.values()].flat().filter((source) => !source.startsWith("'") && source !== 'data:')).toEqual([]);
  });

  it("development (and only development) allows 'unsafe-eval' for React's dev tooling", () => {
    expect(directives(contentSecurityPolicy({ nodeEnv: 'development' })).get('script-src')).toEqual(["'self'", "'unsafe-inline'", "'unsafe-eval'"]);
    for (const nodeEnv of ['production', 'test', undefined, 'Development']) {
      expect(contentSecurityPolicy({ nodeEnv })).not.toContain('unsafe-eval');
    }
  });

  it('sends nosniff, a referrer policy, DENY framing and a Permissions-Policy; HSTS only for an https SITE_URL', () => {
    const byName = (siteUrl?: string) => Object.fromEntries(securityHeaders({ nodeEnv: 'production', siteUrl }).map((h) => [h.key, h.value]));
    const http = byName('http://localhost:3000');
    expect(http).toMatchObject({
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'strict-origin-when-cross-origin',
      'X-Frame-Options': 'DENY',
    });
    expect(http['Permissions-Policy']).toMatch(/camera=\(\).*microphone=\(\).*geolocation=\(\)/);
    expect(http).not.toHaveProperty('Strict-Transport-Security');
    expect(byName(undefined)).not.toHaveProperty('Strict-Transport-Security');
    expect(byName('not a url')).not.toHaveProperty('Strict-Transport-Security');
    expect(byName('https://publication.example')['Strict-Transport-Security']).toBe('max-age=63072000');
    expect(byName(' HTTPS://publication.example/ ')['Strict-Transport-Security']).toBe('max-age=63072000');
  });

  it('next.config.ts applies them to every path, no-referrer to the paths that carry tokens, and its own to images', async () => {
    const rules = await nextConfig.headers!();
    // Then the rules of the pages and feeds served as files (lib/content/document-encoding.test.ts), which add no security header.
    const fileRules = documentHeaders(publishedSlugs());
    expect(rules).toHaveLength(4 + fileRules.length);
    expect(rules.slice(4)).toEqual(fileRules);
    for (const rule of fileRules) expect(rule.headers.map((h) => h.key)).not.toContain('Content-Security-Policy');
    expect(rules.slice(1, 3)).toEqual(
      ['/newsletter/:path*', '/api/newsletter/:path*'].map((source) => ({ source, headers: [{ key: 'Referrer-Policy', value: 'no-referrer' }] })),
    );
    // Article images: cached for a year (content-hashed names), and a sandbox for an SVG opened on its own.
    expect(rules[3]).toEqual({
      source: '/media/:file*',
      headers: [
        { key: 'Cache-Control', value: 'public, max-age=31536000, immutable' },
        { key: 'Content-Security-Policy', value: "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox" },
      ],
    });
    expect(rules[0]!.source).toBe('/:path*');
    expect(rules[0]!.headers.map((h) => h.key)).toEqual(expect.arrayContaining(['Content-Security-Policy', 'X-Content-Type-Options', 'Referrer-Policy', 'X-Frame-Options', 'Permissions-Policy']));
    expect(nextConfig.poweredByHeader).toBe(false);
  });
});

describe('tokens are unguessable', () => {
  it('come from crypto.randomBytes(32), as 43 base64url characters', () => {
    crypto.randomBytes.mockClear();
    const { token } = generateConfirmationToken();
    expect(TOKEN_BYTES).toBe(32);
    expect(crypto.randomBytes).toHaveBeenCalledTimes(1);
    expect(crypto.randomBytes).toHaveBeenCalledWith(32);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token).toBe(Buffer.from(crypto.randomBytes.mock.results[0]!.value as Buffer).toString('base64url'));
  });

  it('never repeat over 10,000 generations, and every character position looks uniform', () => {
    const tokens = Array.from({ length: 10_000 }, () => generateConfirmationToken().token);
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(new Set(tokens.map(hashToken)).size).toBe(tokens.length);

    // Chi-square over the 64 symbols of the first 42 characters (the 43rd carries only 4 bits).
    // 63 degrees of freedom: mean 63, standard deviation ~11; 150 happens by chance about once in 10^9.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const counts = new Map<string, number>();
    for (const token of tokens) for (const char of token.slice(0, 42)) counts.set(char, (counts.get(char) ?? 0) + 1);
    const expected = (tokens.length * 42) / 64;
    const chiSquare = [...alphabet].reduce((sum, char) => sum + ((counts.get(char) ?? 0) - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(150);
  });
});

describe('constant-time comparison', () => {
  const { hash } = generateConfirmationToken();

  it('hashesEqual compares with timingSafeEqual', () => {
    crypto.timingSafeEqual.mockClear();
    expect(hashesEqual(hash, hash)).toBe(true);
    expect(hashesEqual(hash, hashToken('another'))).toBe(false);
    expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(2);
    const [left, right] = crypto.timingSafeEqual.mock.calls[1]! as [Buffer, Buffer];
    expect(left).toHaveLength(32);
    expect(right).toHaveLength(32);
  });

  it('hashesEqual refuses different lengths, empty and non-hex input without throwing', () => {
    for (const other of [hash.slice(0, 62), `${hash}00`, '', 'zz', hash.toUpperCase().slice(0, 10), '\u0000'.repeat(64)]) {
      expect(() => hashesEqual(hash, other)).not.toThrow();
      expect(hashesEqual(hash, other)).toBe(false);
      expect(hashesEqual(other, hash)).toBe(false);
    }
    expect(hashesEqual('', '')).toBe(false);
  });

  it('manage tokens check their MAC with timingSafeEqual and refuse any other shape without throwing', () => {
    const secret = 'a-test-secret-that-is-at-least-32-characters-long';
    const id = '3f1e8c1a-6a0b-4c55-9d8e-2b7f4a1c9e01';
    const token = createManageToken(id, secret);
    crypto.timingSafeEqual.mockClear();
    expect(verifyManageToken(token, secret)).toBe(id);
    expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(1);
    const forged = `${token.slice(0, 30)}${token[30] === 'A' ? 'B' : 'A'}${token.slice(31)}`;
    expect(verifyManageToken(forged, secret)).toBeNull();
    for (const other of ['', 'x', token.slice(0, 42), `${token}A`, '=' .repeat(43), '\u00ff'.repeat(43)]) {
      expect(() => verifyManageToken(other, secret)).not.toThrow();
      expect(verifyManageToken(other, secret)).toBeNull();
    }
  });
});
