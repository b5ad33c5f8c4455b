import { describe, expect, it } from 'vitest';
import { canonicalInbox } from './inbox';

describe('canonicalInbox', () => {
  it('folds Gmail dots, +tags and googlemail.com into one inbox', () => {
    for (const spelling of ['victim@gmail.com', 'v.ictim@gmail.com', 'v.i.c.t.i.m+1@gmail.com', 'victim+news@googlemail.com', 'VICTIM@Gmail.com']) {
      expect(canonicalInbox(spelling.toLowerCase()), spelling).toBe('victim@gmail.com');
    }
  });

  it('drops +tags (but not dots) for providers that document subaddressing', () => {
    expect(canonicalInbox('jane.doe+x@outlook.com')).toBe('jane.doe@outlook.com');
    expect(canonicalInbox('jane.doe+x@icloud.com')).toBe('jane.doe@icloud.com');
    expect(canonicalInbox('jane.doe@fastmail.com')).toBe('jane.doe@fastmail.com');
  });

  it('keeps unknown domains, and odd local parts, as typed', () => {
    expect(canonicalInbox('j.doe+billing@example.com')).toBe('j.doe+billing@example.com');
    expect(canonicalInbox('+tag@gmail.com')).toBe('+tag@gmail.com');
    expect(canonicalInbox('no-at-sign')).toBe('no-at-sign');
  });
});
