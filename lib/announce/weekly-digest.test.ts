import { describe, expect, it } from 'vitest';
import { weekOf } from './weekly-digest';

describe('weekOf', () => {
  it('is the Monday (UTC) that starts the ISO week', () => {
    expect(weekOf(new Date('2026-11-30T00:00:00Z'))).toBe('2026-11-30'); // a Monday
    expect(weekOf(new Date('2026-12-06T23:59:59Z'))).toBe('2026-11-30'); // its Sunday
    expect(weekOf(new Date('2026-12-07T00:00:00Z'))).toBe('2026-12-07');
    expect(weekOf(new Date('2027-01-01T12:00:00Z'))).toBe('2026-12-28'); // across a year
  });
});
