import { describe, expect, it } from 'vitest';
import { InvalidEmailPropsError, renderEmail, renderStoredEmail, type EmailProps } from '../../lib/email/render';
import { site } from '../../lib/site';

const confirmUrl = 'https://example.com/newsletter/confirm?token=c0nf1rm';
const unsubscribeUrl = 'https://example.com/newsletter/unsubscribe?token=uns7b';
const HTML_TAG = /<\/?[a-z][a-z0-9-]*(\s[^>]*)?>/i;

function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

const confirmation: EmailProps<'confirmation'> = { siteName: 'The Publication', confirmUrl, unsubscribeUrl };
const welcome: EmailProps<'welcome'> = {
  siteName: 'The Publication',
  siteUrl: 'https://example.com',
  articles: [
    { title: 'Understanding Distributed Systems', description: 'Consensus from first principles.', url: 'https://example.com/articles/uds' },
    { title: 'Backpressure', description: 'Saying no politely.', url: 'https://example.com/articles/backpressure' },
  ],
  unsubscribeUrl,
  manageUrl: 'https://example.com/newsletter/manage?token=d4t4',
};
const newArticle: EmailProps<'new-article'> = {
  siteName: 'The Publication',
  title: 'Backpressure & Load Shedding',
  description: 'Why queues need limits.',
  takeaways: ['Bound every queue.', 'Reject early, cheaply.'],
  articleUrl: 'https://example.com/articles/backpressure',
  unsubscribeUrl,
};

describe('confirmation email', () => {
  it('says what was signed up for, with one confirmation link, expiry and an ignore note', async () => {
    const { subject, html, text } = await renderEmail('confirmation', confirmation);
    expect(subject).toBe('Confirm your subscription to The Publication');
    for (const body of [html, text]) {
      expect(body).toContain('The Publication');
      expect(body).toContain('an email when a new article is published, nothing else');
      expect(body).toContain('expires in 48 hours');
      expect(body).toMatch(/didn(’|'|&#x27;)t ask/);
      expect(body).toContain(unsubscribeUrl);
    }
    // The button and the copy-paste fallback point at the same single URL.
    expect(occurrences(html, `href="${confirmUrl}"`)).toBe(2);
    expect(occurrences(text, confirmUrl)).toBe(1);
  });

  it('renders plain text without HTML tags', async () => {
    const { text } = await renderEmail('confirmation', confirmation);
    expect(text).not.toMatch(HTML_TAG);
    expect(text).toContain(`Confirm my subscription ${confirmUrl}`);
  });

  it('escapes URLs and names instead of injecting them', async () => {
    const { html } = await renderEmail('confirmation', {
      ...confirmation,
      siteName: 'Tom & <Jerry>',
      confirmUrl: 'https://example.com/c?token=a&b=1',
    });
    expect(html).toContain('href="https://example.com/c?token=a&amp;b=1"');
    expect(html).toContain('Tom &amp; &lt;Jerry&gt;');
    expect(html).not.toContain('<Jerry>');
  });
});

describe('welcome email', () => {
  it('lists the newest articles and explains unsubscribing and data export/deletion', async () => {
    const { subject, html, text } = await renderEmail('welcome', welcome);
    expect(subject).toBe('Welcome to The Publication');
    for (const article of welcome.articles) {
      expect(html).toContain(`href="${article.url}"`);
      expect(text).toContain(article.title);
      expect(text).toContain(article.description);
      expect(text).toContain(article.url);
    }
    expect(text).toContain('unsubscribe');
    expect(text).toContain(`manage your subscription ${welcome.manageUrl}`);
    expect(text).toContain(unsubscribeUrl);
    expect(text).not.toMatch(HTML_TAG);
  });

  it('reads well with no articles yet', async () => {
    const { text } = await renderEmail('welcome', { ...welcome, articles: [] });
    expect(text).not.toContain('While you wait');
    expect(text).toContain(unsubscribeUrl);
  });
});

describe('new-article email', () => {
  it('has title, description, takeaways and a Read the article link', async () => {
    const { subject, html, text } = await renderEmail('new-article', newArticle);
    expect(subject).toBe('Backpressure & Load Shedding');
    expect(text).toContain('Backpressure & Load Shedding'); // not upper-cased by html-to-text
    expect(text).toContain('Why queues need limits.');
    expect(text).toContain('Bound every queue.');
    expect(text).toContain('Reject early, cheaply.');
    expect(text).toContain(`Read the article ${newArticle.articleUrl}`);
    expect(html).toContain(`href="${unsubscribeUrl}"`);
    expect(text).toContain(unsubscribeUrl);
    expect(text).not.toMatch(HTML_TAG);
  });
});

describe('props validation', () => {
  it('renders props read back from JSON (the outbox path)', async () => {
    const stored = JSON.parse(JSON.stringify(welcome)) as unknown;
    const fromOutbox = await renderStoredEmail('welcome', stored);
    expect(fromOutbox).toEqual(await renderEmail('welcome', welcome));
  });

  it("defaults the publication's name to lib/site.ts when the caller leaves it out", async () => {
    const { subject, text } = await renderEmail('confirmation', { confirmUrl, unsubscribeUrl });
    expect(subject).toBe(`Confirm your subscription to ${site.name}`);
    expect(text).toContain(`join the ${site.name} newsletter`);
  });

  it('rejects non-http(s) links, missing fields, extra fields and unknown kinds', async () => {
    await expect(renderStoredEmail('confirmation', { ...confirmation, confirmUrl: 'javascript:alert(1)' })).rejects.toThrow(
      InvalidEmailPropsError,
    );
    await expect(renderStoredEmail('confirmation', { siteName: 'X', confirmUrl })).rejects.toThrow(/unsubscribeUrl/);
    await expect(renderStoredEmail('new-article', { ...newArticle, html: '<script>' })).rejects.toThrow(InvalidEmailPropsError);
    await expect(renderStoredEmail('newsletter-blast', {})).rejects.toThrow(/unknown email kind/);
    await expect(renderStoredEmail('toString', {})).rejects.toThrow(/unknown email kind/);
  });
});
