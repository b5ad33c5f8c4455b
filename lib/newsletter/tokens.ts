import 'server-only';
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { TOKEN_PATTERN } from '../validations/newsletter';

/**
 * Every secret-bearing value of the newsletter, built on node:crypto alone.
 *
 * - Confirmation token: 32 random bytes, base64url in the link; only its SHA-256 (hex) is stored.
 * - Manage token (the link in every email: unsubscribe, the manage page): never stored, never
 *   expires, reveals nothing. It cannot export or delete data: that takes a data-link token, a
 *   single-use random token like a confirmation's, emailed on request and valid for an hour.
 *   It is AES-256(subscriber uuid) ‖ HMAC-SHA256(subscriber uuid) truncated to 128 bits, each under
 *   its own key derived from NEWSLETTER_SECRET. The encrypted block hides the uuid (one AES block of
 *   a unique value is a pseudo-random permutation: nothing to learn, nothing to correlate); the MAC
 *   authenticates it (a 128-bit tag is the usual truncation, NIST SP 800-107) and is checked with
 *   timingSafeEqual. 32 bytes → 43 characters, the same shape as a confirmation token.
 *   Hand-built from two primitives because no dependency in the project offers a deterministic,
 *   stateless, opaque token; rotating NEWSLETTER_SECRET invalidates every link, as it should.
 * - Sealed token: the confirmation token must reach the email, which the outbox worker renders
 *   later, possibly in another process. The outbox row holds it AES-256-GCM-encrypted (useless
 *   without the secret) and the worker erases it once the row is finished, so the database never
 *   holds a usable token.
 */

export const TOKEN_BYTES = 32;

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** A new single-use token (a confirmation or a data link) and the hash to store. */
export function generateConfirmationToken(): { token: string; hash: string } {
  const token = base64url(randomBytes(TOKEN_BYTES));
  return { token, hash: hashToken(token) };
}

/** SHA-256 hex of a token: what the database stores and looks tokens up by. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests (false for different lengths). */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

// One derived key per purpose, so no key is ever used for two things.
const keyCache = new Map<string, Buffer>();
function deriveKey(secret: string, purpose: string): Buffer {
  const cacheKey = `${purpose}\u0000${secret}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, 'quorum-newsletter', purpose, 32));
    keyCache.set(cacheKey, key);
  }
  return key;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidToBytes(uuid: string): Buffer {
  if (!UUID_PATTERN.test(uuid)) throw new Error('not a uuid');
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

function bytesToUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function manageTag(secret: string, idBytes: Buffer): Buffer {
  return createHmac('sha256', deriveKey(secret, 'manage-token/mac')).update(idBytes).digest().subarray(0, 16);
}

/** The subscriber's unsubscribe/manage token (deterministic: the same in every email). */
export function createManageToken(subscriberId: string, secret: string): string {
  const idBytes = uuidToBytes(subscriberId);
  const cipher = createCipheriv('aes-256-ecb', deriveKey(secret, 'manage-token/enc'), null).setAutoPadding(false);
  const block = Buffer.concat([cipher.update(idBytes), cipher.final()]);
  return base64url(Buffer.concat([block, manageTag(secret, idBytes)]));
}

/** The subscriber id inside a genuine manage token; null for anything else. */
export function verifyManageToken(token: string, secret: string): string | null {
  if (!isWellFormedToken(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  // 43 characters carry 258 bits: the last one's two spare bits must be zero, or one token
  // would have four spellings.
  if (raw.length !== 32 || base64url(raw) !== token) return null;
  const decipher = createDecipheriv('aes-256-ecb', deriveKey(secret, 'manage-token/enc'), null).setAutoPadding(false);
  const idBytes = Buffer.concat([decipher.update(raw.subarray(0, 16)), decipher.final()]);
  const expected = manageTag(secret, idBytes);
  if (!timingSafeEqual(expected, raw.subarray(16))) return null;
  return bytesToUuid(idBytes);
}

/** What a sealed token is for, bound into the seal: a sealed data link never opens as a confirmation. */
export type SealedTokenKind = 'confirmation' | 'data-link';

const sealAad = (kind: SealedTokenKind) => Buffer.from(kind === 'confirmation' ? 'newsletter/confirmation-token' : 'newsletter/data-link-token');

/** AES-256-GCM: iv ‖ ciphertext ‖ tag, base64url. */
export function sealToken(token: string, secret: string, kind: SealedTokenKind = 'confirmation'): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(secret, 'outbox-seal'), iv);
  cipher.setAAD(sealAad(kind));
  const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return base64url(Buffer.concat([iv, body, cipher.getAuthTag()]));
}

/** Throws when the value was not sealed with this secret (or was altered). */
export function openSealedToken(sealed: string, secret: string, kind: SealedTokenKind = 'confirmation'): string {
  const raw = Buffer.from(sealed, 'base64url');
  if (raw.length < 12 + 16 + 1) throw new Error('sealed token too short');
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(secret, 'outbox-seal'), raw.subarray(0, 12));
  decipher.setAAD(sealAad(kind));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
}

/**
 * A keyed, non-reversible name for an IP or an address (rate-limit bucket keys), so the
 * rate_limit_buckets table holds no address and no IP in clear.
 */
export function keyedDigest(secret: string, purpose: string, value: string): string {
  return createHmac('sha256', deriveKey(secret, `digest/${purpose}`)).update(value, 'utf8').digest('base64url').slice(0, 32);
}
