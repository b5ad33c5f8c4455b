import { describe, expect, it } from 'vitest';
import { unsubscribeHeaders } from '../../lib/email/headers';

describe('unsubscribeHeaders (RFC 8058 one-click)', () => {
  it('wraps the URL in angle brackets and adds the one-click POST header', () => {
    expect(unsubscribeHeaders('https://example.com/newsletter/unsubscribe?token=abc')).toEqual({
      'List-Unsubscribe': '<https://example.com/newsletter/unsubscribe?token=abc>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });

  it('percent-encodes characters that would break the header', () => {
    expect(unsubscribeHeaders('https://example.com/u?t=a b>c')['List-Unsubscribe']).toBe('<https://example.com/u?t=a%20b%3Ec>');
  });

  it('refuses non-http(s) and relative URLs', () => {
    expect(() => unsubscribeHeaders('mailto:unsubscribe@example.com')).toThrow();
    expect(() => unsubscribeHeaders('javascript:alert(1)')).toThrow();
    expect(() => unsubscribeHeaders('/newsletter/unsubscribe')).toThrow();
  });
});
