import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { tokenSchema } from '../validations/newsletter';
import { maskEmail } from '../format';
import { log as rootLog, redactString } from '../log';
import { log as newsletterLog } from './log';
import {
  createManageToken,
  generateConfirmationToken,
  hashesEqual,
  hashToken,
  keyedDigest,
  openSealedToken,
  sealToken,
  verifyManageToken,
} from './tokens';

const SECRET = 'a-test-secret-that-is-at-least-32-characters-long';
const OTHER_SECRET = 'another-test-secret-at-least-32-characters-long!!';

describe('confirmation tokens', () => {
  it('are 32 random bytes in base64url (43 characters) with a SHA-256 hex hash', () => {
    const { token, hash } = generateConfirmationToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(tokenSchema.safeParse(token).success).toBe(true);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(hashToken(token));
    expect(generateConfirmationToken().token).not.toBe(token);
  });

  it('compares hashes in constant time and refuses different lengths', () => {
    const { hash } = generateConfirmationToken();
    expect(hashesEqual(hash, hash)).toBe(true);
    expect(hashesEqual(hash, hashToken('other'))).toBe(false);
    expect(hashesEqual(hash, hash.slice(0, 62))).toBe(false);
    expect(hashesEqual('', '')).toBe(false);
  });
});

describe('manage (unsubscribe) tokens', () => {
  it('round-trip to the subscriber id without revealing it, and are stable', () => {
    const id = randomUUID();
    const token = createManageToken(id, SECRET);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token).toBe(createManageToken(id, SECRET));
    expect(verifyManageToken(token, SECRET)).toBe(id);
    const hexId = id.replace(/-/g, '');
    expect(Buffer.from(token, 'base64url').toString('hex')).not.toContain(hexId.slice(0, 8));
  });

  it('refuse tampering, another secret and garbage', () => {
    const id = randomUUID();
    const token = createManageToken(id, SECRET);
    expect(verifyManageToken(token, OTHER_SECRET)).toBeNull();
    for (let i = 0; i < token.length; i += 7) {
      const flipped = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
      expect(verifyManageToken(flipped, SECRET)).toBeNull();
    }
    // The last character's two spare bits: a different spelling of the same bytes is refused too.
    const last = token.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
    expect(Buffer.from(token.slice(0, -1) + sibling, 'base64url').equals(Buffer.from(token, 'base64url'))).toBe(true);
    expect(verifyManageToken(token.slice(0, -1) + sibling, SECRET)).toBeNull();
    expect(verifyManageToken('', SECRET)).toBeNull();
    expect(verifyManageToken('x'.repeat(43), SECRET)).toBeNull();
    expect(verifyManageToken(`${token}A`, SECRET)).toBeNull();
  });
});

describe('sealed tokens', () => {
  it('open with the same secret only', () => {
    const { token } = generateConfirmationToken();
    const sealed = sealToken(token, SECRET);
    expect(sealed).not.toContain(token);
    expect(openSealedToken(sealed, SECRET)).toBe(token);
    expect(() => openSealedToken(sealed, OTHER_SECRET)).toThrow();
    const tampered = Buffer.from(sealed, 'base64url');
    tampered[14] = tampered[14]! ^ 1;
    expect(() => openSealedToken(tampered.toString('base64url'), SECRET)).toThrow();
  });
});

describe('keyed digests and log redaction', () => {
  it('name an IP or address without containing it', () => {
    const digest = keyedDigest(SECRET, 'email', 'reader@example.com');
    expect(digest).not.toContain('reader');
    expect(digest).toBe(keyedDigest(SECRET, 'email', 'reader@example.com'));
    expect(digest).not.toBe(keyedDigest(SECRET, 'ip', 'reader@example.com'));
  });

  it('mask addresses and tokens in log text (lib/log.ts, which the newsletter log is a child of)', () => {
    expect(maskEmail('reader@example.com')).toBe('r***@example.com');
    const line = redactString('Key (email)=(reader@example.com) already exists; link /newsletter/confirm?token=abcDEF_123-xyz&x=1');
    expect(line).not.toContain('reader@');
    expect(line).not.toContain('abcDEF_123');
    expect(line).toContain('token=[redacted]');
    expect(redactString('at /app/node_modules/@prisma/client/runtime/client.js:65')).toBe('at /app/node_modules/@prisma/client/runtime/client.js:65');
  });

  it('the newsletter log writes through lib/log.ts: one line, component=newsletter, nothing secret', () => {
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const warn = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      newsletterLog.warn('database-unavailable', {
        operation: 'subscribe',
        err: new Error('Key (email)=(reader@example.com) already exists', { cause: new Error('see /x?token=abcDEF_123-xyz') }),
        token: 'abcDEF_123-xyz',
      });
    } finally {
      write.mockRestore();
      warn.mockRestore();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/database-unavailable/);
    expect(lines[0]).toMatch(/component=newsletter/);
    expect(lines[0]).not.toContain('reader@');
    expect(lines[0]).not.toContain('abcDEF_123');
    expect(rootLog).not.toBe(newsletterLog);
  });
});
