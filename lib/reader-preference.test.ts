import { describe, expect, it } from 'vitest';
import { describePreference, parsePreference, pauseDateBounds, preferenceSummary } from './reader-preference';

describe('reader preference', () => {
  const now = new Date('2026-03-10T15:00:00Z');

  it('the date input spans tomorrow to a year ahead, in UTC days', () => {
    expect(pauseDateBounds(now)).toEqual({ min: '2026-03-11', max: '2027-03-11' });
  });

  it('every and weekly end a pause; a pause keeps the delivery underneath', () => {
    expect(parsePreference({ delivery: 'every' }, now)).toEqual({ ok: true, value: { delivery: 'EVERY', pausedUntil: null } });
    expect(parsePreference({ delivery: ' weekly ', until: '2026-04-01' }, now)).toEqual({ ok: true, value: { delivery: 'WEEKLY', pausedUntil: null } });
    expect(parsePreference({ delivery: 'pause', until: '2026-04-01' }, now)).toEqual({ ok: true, value: { delivery: null, pausedUntil: new Date('2026-04-01T00:00:00Z') } });
  });

  it('a pause that has ended reads as not paused, with no date', () => {
    expect(describePreference({ delivery: 'WEEKLY', pausedUntil: new Date('2026-03-10T00:00:00Z') }, now)).toEqual({ delivery: 'weekly', pausedUntil: null, paused: false });
    const paused = describePreference({ delivery: 'EVERY', pausedUntil: new Date('2026-03-20T00:00:00Z') }, now);
    expect(paused).toEqual({ delivery: 'every', pausedUntil: '2026-03-20', paused: true });
    expect(preferenceSummary(paused)).toBe('Paused: nothing until 2026-03-20, then an email for every new article again.');
  });
});
