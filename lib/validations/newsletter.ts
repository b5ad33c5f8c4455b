import { z } from 'zod';

/**
 * Newsletter input schemas for the route handlers and lib/newsletter. Free of server imports, so
 * a client component may share them (the subscribe form validates with the browser's own checks today).
 */

/** RFC 5321's path limit; longer "addresses" are never deliverable. */
export const EMAIL_MAX_LENGTH = 254;

export const EMAIL_REQUIRED_MESSAGE = 'Enter your email address.';
export const EMAIL_INVALID_MESSAGE = 'Enter a valid email address, like you@example.com.';

/** The stored form of an address: trimmed and lowercased (the database's CHECK constraint insists). */
export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

export const emailSchema = z
  .string({ error: EMAIL_REQUIRED_MESSAGE })
  .trim()
  .toLowerCase()
  .min(1, EMAIL_REQUIRED_MESSAGE)
  .max(EMAIL_MAX_LENGTH, EMAIL_INVALID_MESSAGE)
  .pipe(z.email({ error: EMAIL_INVALID_MESSAGE }));

/**
 * Where the reader signed up ("home", "article:<slug>", ...). Informational only, so a malformed
 * value is dropped rather than failing the signup.
 */
export const sourceSchema = z
  .string()
  .trim()
  .max(100)
  .regex(/^[\w:./-]*$/)
  .transform((value) => (value === '' ? undefined : value))
  .optional()
  .catch(undefined);

export const subscribeSchema = z.object({
  email: emailSchema,
  source: sourceSchema,
  /** Honeypot: hidden from people; a bot that fills it in is answered like success and ignored. */
  website: z.string().max(2_000).optional().catch(undefined),
});

/** The one answer to every accepted signup, whatever the address's state (nobody learns who subscribes). */
export const SUBSCRIBE_SUCCESS_MESSAGE = 'Check your inbox to confirm your subscription.';


/**
 * A token from an email link: 32 bytes, base64url without padding (43 characters). Both the
 * confirmation token and the unsubscribe/manage token have this shape.
 */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const tokenSchema = z.string().trim().regex(TOKEN_PATTERN, 'This link is not valid.');
