import { describe, expect, it } from 'vitest';
import { OutboxKind } from './generated/prisma/enums';
import { EMAIL_PREVIEWS, previewChecks, renderEmailPreviews } from './email-previews';

describe('the email previews registry', () => {
  it('has an entry for every kind the outbox sends', () => {
    expect(new Set(EMAIL_PREVIEWS.map((entry) => entry.kind))).toEqual(new Set(Object.values(OutboxKind)));
    expect(new Set(EMAIL_PREVIEWS.map((entry) => entry.id)).size).toBe(EMAIL_PREVIEWS.length);
  });

  it('renders each entry through the sender\'s own path, and every check passes', async () => {
    const previews = await renderEmailPreviews();
    expect(previews.map((p) => p.entry.id)).toEqual(EMAIL_PREVIEWS.map((e) => e.id));
    for (const preview of previews) {
      expect(preview.subject, preview.entry.id).not.toBe('');
      expect(preview.html).toMatch(/^<!DOCTYPE html/i);
      expect(preview.text.length).toBeGreaterThan(50);
      expect(preview.checks.filter((check) => !check.ok), preview.entry.id).toEqual([]);
    }
  });

  it('a check fails for an email without the link or the headers', () => {
    const url = 'http://localhost:3000/api/newsletter/unsubscribe?token=abc';
    const failed = (email: Parameters<typeof previewChecks>[0]) => previewChecks(email, url, true).filter((c) => !c.ok).map((c) => c.label);
    expect(failed({ html: `<a href="${url}">x</a>`, text: url, headers: { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } })).toEqual([]);
    expect(failed({ html: '<p>no link</p>', text: 'none', headers: {} })).toEqual([
      'unsubscribe link in the HTML',
      'unsubscribe link in the plain text',
      'List-Unsubscribe header',
      'List-Unsubscribe-Post: One-Click',
    ]);
  });
});
