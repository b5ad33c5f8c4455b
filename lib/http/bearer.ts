import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether `request` carries `Authorization: Bearer <secret>`. Both sides are hashed first, so the
 * comparison takes the same time whatever the lengths and wherever the first difference is.
 */
export function hasBearerToken(request: Request, secret: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '');
  if (!match) return false;
  const given = createHash('sha256').update(match[1]!.trim()).digest();
  const expected = createHash('sha256').update(secret).digest();
  return timingSafeEqual(given, expected);
}
