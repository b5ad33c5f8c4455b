import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderStoredEmail } from '../../lib/email';
import { renderConfirmation } from '../../lib/newsletter/confirmation-render';
import { confirmUrl, unsubscribeUrl } from '../../lib/newsletter/paths';
import { createManageToken, generateConfirmationToken } from '../../lib/newsletter/tokens';

// The copy must be the email's own render, byte for byte: a retried send carries the same body
// under the same Idempotency-Key, and a reader must get their own links and nobody else's.
const secret = randomBytes(32).toString('base64url');

function fresh(confirmToken: string, unsubscribe: string, expiresInHours: number) {
  return renderStoredEmail('confirmation', { confirmUrl: confirmUrl(confirmToken), unsubscribeUrl: unsubscribe, expiresInHours });
}

describe('renderConfirmation (one render, copied per email)', () => {
  it('is byte for byte what rendering each email on its own gives, for many tokens and expiries', async () => {
    for (let i = 0; i < 40; i += 1) {
      const confirmToken = generateConfirmationToken().token;
      const unsubscribe = unsubscribeUrl(createManageToken(randomUUID(), secret));
      const expiresInHours = i % 3 === 0 ? 24 : 48;
      const copy = await renderConfirmation({ confirmToken, unsubscribeUrl: unsubscribe, expiresInHours });
      expect(copy).toEqual(await fresh(confirmToken, unsubscribe, expiresInHours));
      expect(copy.html).toContain(confirmToken);
      expect(copy.text).toContain(confirmToken);
      expect(copy.html).not.toContain('zzPlaceholder');
    }
  });

  it('renders on its own what it cannot copy safely (another link shape, short or odd tokens)', async () => {
    const cases = [
      { confirmToken: 'short', unsubscribeUrl: unsubscribeUrl('abcdefghijkl') },
      { confirmToken: generateConfirmationToken().token, unsubscribeUrl: 'https://elsewhere.example/u?token=abcdefghijkl&x=1' },
      { confirmToken: 'has spaces and <tags> in it', unsubscribeUrl: unsubscribeUrl(createManageToken(randomUUID(), secret)) },
    ];
    for (const props of cases) {
      expect(await renderConfirmation({ ...props, expiresInHours: 48 })).toEqual(await fresh(props.confirmToken, props.unsubscribeUrl, 48));
    }
  });
});
