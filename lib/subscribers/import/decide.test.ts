import { describe, expect, it } from 'vitest';
import { decideRow, parseSourceDate } from './decide';
import { detectFormat, FORMATS } from './formats';

const NOW = new Date('2026-06-15T12:00:00Z');
const row = (cells: Record<string, string>) => new Map(Object.entries(cells));

describe('detectFormat', () => {
  it('names each source from its header, plain as the fallback, nothing without an email column', () => {
    const names = (header: string) => detectFormat(new Set(header.split(',')))?.name;
    expect(names('email,active_subscription,expiry,plan,email_disabled,created_at,first_payment_at')).toBe('substack');
    expect(names('id,email,name,note,subscribed_to_emails,complimentary_plan,stripe_customer_id,created_at,deleted_at,labels,tiers')).toBe('ghost');
    expect(names('email,metadata,notes,referrer_url,secondary_id,source,tags,type,utm_campaign,utm_medium,utm_source,creation_date')).toBe('buttondown');
    expect(names('email address,first name,last name,member_rating,optin_time,confirm_time,leid,euid')).toBe('mailchimp');
    expect(names('email')).toBe('plain');
    expect(names('email,name,status,subscribed_at')).toBe('plain');
    expect(names('email,favourite_colour')).toBeUndefined();
    expect(names('name,address')).toBeUndefined();
  });
});

describe('parseSourceDate', () => {
  it('reads a zoneless time as UTC (Mailchimp writes GMT), keeps explicit zones, refuses nonsense', () => {
    expect(parseSourceDate('2022-05-01 10:02:31')?.toISOString()).toBe('2022-05-01T10:02:31.000Z');
    expect(parseSourceDate('2024-02-10T09:00:00+02:00')?.toISOString()).toBe('2024-02-10T07:00:00.000Z');
    expect(parseSourceDate('2020-01-01')?.toISOString()).toBe('2020-01-01T00:00:00.000Z');
    expect(parseSourceDate('someday')).toBeUndefined();
  });
});

describe('decideRow', () => {
  it('turns each source status into a subscriber, a suppression or a bad row', () => {
    expect(decideRow(FORMATS.plain, row({ email: ' Ada@Example.COM ', status: 'active' }), 2, NOW)).toEqual({
      kind: 'subscribe',
      line: 2,
      email: 'ada@example.com',
      inbox: 'ada@example.com',
      subscribedAt: null,
    });
    expect(decideRow(FORMATS.buttondown, row({ email: 'x@gmail.com', type: 'undeliverable', creation_date: '' }), 3, NOW)).toMatchObject({
      kind: 'suppress',
      status: 'bounced',
    });
    expect(decideRow(FORMATS.buttondown, row({ email: 'x@example.com', type: 'unactivated', creation_date: '' }), 4, NOW)).toMatchObject({
      kind: 'invalid',
      reason: 'unknown status: type "unactivated"',
    });
    expect(decideRow(FORMATS.substack, row({ email: 'x@example.com', email_disabled: 'perhaps' }), 5, NOW)).toMatchObject({ kind: 'invalid' });
    expect(decideRow(FORMATS.ghost, row({ email: 'x@example.com', subscribed_to_emails: 'false' }), 6, NOW)).toMatchObject({
      kind: 'suppress',
      status: 'unsubscribed',
    });
    expect(decideRow(FORMATS.mailchimp, row({ 'email address': 'x@example.com', clean_time: '2022-12-12 03:00:00' }), 7, NOW)).toMatchObject({
      kind: 'suppress',
      status: 'cleaned',
    });
    expect(decideRow(FORMATS.plain, row({ email: 'x@example.com', subscribed_at: '2027-01-01' }), 8, NOW)).toMatchObject({
      kind: 'invalid',
      reason: 'date in the future "2027-01-01"',
    });
    expect(decideRow(FORMATS.plain, row({ email: 'x@' }), 9, NOW)).toEqual({ kind: 'invalid', line: 9, email: 'x@', reason: 'invalid address' });
  });

  it('folds a Gmail address to its inbox, so two spellings of one reader are one row', () => {
    const a = decideRow(FORMATS.plain, row({ email: 'a.da+news@googlemail.com' }), 2, NOW);
    expect(a).toMatchObject({ email: 'a.da+news@googlemail.com', inbox: 'ada@gmail.com' });
  });
});
