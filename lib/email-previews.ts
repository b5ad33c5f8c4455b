import { randomBytes, randomUUID } from 'node:crypto';
import type { OutboxKind } from './generated/prisma/client';
import { unsubscribeUrl } from './newsletter/paths';
import { createManageToken, generateConfirmationToken, sealToken } from './newsletter/tokens';
import { absoluteUrl, paths } from './site';
import { CONFIRMATION_TOKEN_TTL_HOURS, DATA_LINK_TTL_MINUTES } from './newsletter/emails';
import { buildOutgoingEmail } from './outbox/templates';
import { appOutboxTemplates } from './sending';

/**
 * The development page /dev/emails: every email the outbox sends, rendered from sample data by
 * the same buildOutgoingEmail the sender uses (so the headers shown are the ones sent), with the
 * checks a reader's inbox relies on. One entry per email: a new template (a weekly digest, say)
 * is one more entry here with its outbox kind and a sample payload.
 */

export type EmailPreviewEntry = {
  /** Stable id, for the page's anchors and tests. */
  id: string;
  name: string;
  /** When it is sent, in a line. */
  when: string;
  kind: OutboxKind;
  /** The outbox row's payload, as the code that queues it would write it (secret: the preview's own). */
  payload(secret: string): unknown;
  /** Whether the body must carry a visible unsubscribe link and the List-Unsubscribe headers (RFC 8058). */
  unsubscribe: boolean;
};

const article = (slug: string, title: string, description: string) => ({ title, description, slug });
const SAMPLE_ARTICLES = [
  article('understanding-distributed-systems', 'Understanding distributed systems', 'Why the network is not reliable, and what to build on instead.'),
  article('leases-and-fencing', 'Leases and fencing tokens', 'How a lock with an expiry keeps two workers from writing at once.'),
  article('idempotency-keys', 'Idempotency keys in practice', 'Retrying a payment without charging twice.'),
].map((a) => ({ ...a, url: absoluteUrl(paths.article(a.slug)) }));

const sealed = (secret: string, kind?: 'data-link') => sealToken(generateConfirmationToken().token, secret, kind);

export const EMAIL_PREVIEWS: readonly EmailPreviewEntry[] = [
  {
    id: 'confirmation',
    name: 'Confirmation',
    when: 'right after a signup: the double opt-in link',
    kind: 'CONFIRMATION',
    payload: (secret) => ({ sealedToken: sealed(secret), expiresInHours: CONFIRMATION_TOKEN_TTL_HOURS }),
    unsubscribe: true,
  },
  {
    id: 'welcome',
    name: 'Welcome',
    when: 'once the address is confirmed, with the newest articles',
    kind: 'WELCOME',
    payload: () => ({ articles: SAMPLE_ARTICLES.map(({ title, description, url }) => ({ title, description, url })) }),
    unsubscribe: true,
  },
  {
    id: 'new-article',
    name: 'New article',
    when: 'the announcement of one newly published article',
    kind: 'ANNOUNCEMENT',
    payload: () => ({
      title: SAMPLE_ARTICLES[0]!.title,
      description: SAMPLE_ARTICLES[0]!.description,
      takeaways: ['Every remote call can fail, hang or succeed twice.', 'Design for partial failure from the start.'],
      articleUrl: SAMPLE_ARTICLES[0]!.url,
    }),
    unsubscribe: true,
  },
  {
    id: 'digest',
    name: 'Digest',
    when: 'one announce run that found more than three new articles',
    kind: 'DIGEST',
    payload: () => ({ articles: SAMPLE_ARTICLES.map(({ title, description, url }) => ({ title, description, articleUrl: url })) }),
    unsubscribe: true,
  },
  {
    id: 'weekly-digest',
    name: 'Weekly digest',
    when: 'Mondays, to readers who chose the weekly digest: what was published since their last one',
    kind: 'WEEKLY_DIGEST',
    payload: () => ({
      weekOf: '2026-11-30',
      articles: SAMPLE_ARTICLES.map(({ title, description, url }) => ({ title, description, articleUrl: url })),
    }),
    unsubscribe: true,
  },
  {
    id: 'data-link-export',
    name: 'Data link (export)',
    when: 'a subscriber asked for their data on the manage page',
    kind: 'DATA_LINK',
    payload: (secret) => ({ sealedToken: sealed(secret, 'data-link'), purpose: 'export', expiresInMinutes: DATA_LINK_TTL_MINUTES }),
    unsubscribe: true,
  },
  {
    id: 'data-link-delete',
    name: 'Data link (delete)',
    when: 'a subscriber asked to delete their data on the manage page',
    kind: 'DATA_LINK',
    payload: (secret) => ({ sealedToken: sealed(secret, 'data-link'), purpose: 'delete', expiresInMinutes: DATA_LINK_TTL_MINUTES }),
    unsubscribe: true,
  },
];

export type PreviewCheck = { label: string; ok: boolean };

export type RenderedPreview = {
  entry: Pick<EmailPreviewEntry, 'id' | 'name' | 'when' | 'kind' | 'unsubscribe'>;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  checks: PreviewCheck[];
};

/** The checks shown beside each email: the unsubscribe link in both bodies and the one-click headers. */
export function previewChecks(
  email: { html: string; text: string; headers?: Record<string, string> },
  url: string,
  expected: boolean,
): PreviewCheck[] {
  const htmlLink = email.html.includes(`href="${url.replaceAll('&', '&amp;')}"`);
  const textLink = email.text.includes(url);
  const header = email.headers?.['List-Unsubscribe'] === `<${url}>`;
  const post = email.headers?.['List-Unsubscribe-Post'] === 'List-Unsubscribe=One-Click';
  const want = (has: boolean) => has === expected;
  const expect = (label: string) => (expected ? label : `no ${label}`);
  return [
    { label: expect('unsubscribe link in the HTML'), ok: want(htmlLink) },
    { label: expect('unsubscribe link in the plain text'), ok: want(textLink) },
    { label: expect('List-Unsubscribe header'), ok: want(header) },
    { label: expect('List-Unsubscribe-Post: One-Click'), ok: want(post) },
  ];
}

/**
 * Every entry rendered as the outbox would send it to a sample subscriber. The links carry tokens
 * made with a secret of this process's own, so a preview's link never acts on a real subscriber.
 */
export async function renderEmailPreviews(entries: readonly EmailPreviewEntry[] = EMAIL_PREVIEWS): Promise<RenderedPreview[]> {
  const secret = randomBytes(32).toString('base64url');
  return Promise.all(
    entries.map(async (entry) => {
      const subscriberId = randomUUID();
      const email = await buildOutgoingEmail(
        { id: randomUUID(), kind: entry.kind, subscriberId, toAddress: 'reader@example.com', payload: entry.payload(secret) },
        appOutboxTemplates(secret),
      );
      const { id, name, when, kind, unsubscribe } = entry;
      return {
        entry: { id, name, when, kind, unsubscribe },
        subject: email.subject,
        html: email.html,
        text: email.text,
        headers: email.headers,
        checks: previewChecks(email, unsubscribeUrl(createManageToken(subscriberId, secret)), entry.unsubscribe),
      };
    }),
  );
}
