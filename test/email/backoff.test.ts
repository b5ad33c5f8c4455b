import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, parseRetryAfterMs } from '../../lib/email/backoff';

describe('backoffDelayMs (full jitter)', () => {
  it('spans [0, base * 2^attempt) for the full range of the random source', () => {
    expect(backoffDelayMs({ attempt: 0, baseMs: 1000, random: () => 0 })).toBe(0);
    expect(backoffDelayMs({ attempt: 0, baseMs: 1000, random: () => 0.999 })).toBe(999);
    expect(backoffDelayMs({ attempt: 3, baseMs: 1000, random: () => 0.5 })).toBe(4000);
    expect(backoffDelayMs({ attempt: 3, baseMs: 1000, random: () => 0.999 })).toBe(7992);
  });

  it('never exceeds the cap, even for huge attempt numbers', () => {
    expect(backoffDelayMs({ attempt: 20, baseMs: 1000, capMs: 60_000, random: () => 0.999 })).toBe(59_940);
    expect(backoffDelayMs({ attempt: 5000, baseMs: 1000, capMs: 60_000, random: () => 0.5 })).toBe(30_000);
  });

  it('stays within [0, min(cap, base * 2^attempt)] for any input', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 3_600_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseMs, capMs, r) => {
          const delay = backoffDelayMs({ attempt, baseMs, capMs, random: () => r });
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(Math.min(capMs, baseMs * 2 ** attempt));
          expect(Number.isFinite(delay)).toBe(true);
        },
      ),
    );
  });

  it('honours Retry-After: never sooner, at most one base interval later', () => {
    expect(backoffDelayMs({ attempt: 0, baseMs: 1000, retryAfterMs: 7000, random: () => 0 })).toBe(7000);
    expect(backoffDelayMs({ attempt: 0, baseMs: 1000, retryAfterMs: 7000, random: () => 0.999 })).toBe(7999);
    // Even when the server asks for longer than our cap: it knows its limits.
    expect(backoffDelayMs({ attempt: 0, baseMs: 1000, capMs: 5000, retryAfterMs: 120_000, random: () => 0 })).toBe(120_000);
  });

  it('rejects a negative attempt', () => {
    expect(() => backoffDelayMs({ attempt: -1 })).toThrow(RangeError);
  });
});

describe('parseRetryAfterMs', () => {
  it('reads delay-seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfterMs('3', now)).toBe(3000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
    expect(parseRetryAfterMs('1.5', now)).toBe(1500);
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfterMs('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  });

  it('returns undefined for absent or unparseable values', () => {
    expect(parseRetryAfterMs(undefined)).toBeUndefined();
    expect(parseRetryAfterMs('')).toBeUndefined();
    expect(parseRetryAfterMs('soon')).toBeUndefined();
    expect(parseRetryAfterMs('-5')).toBeUndefined();
  });
});
