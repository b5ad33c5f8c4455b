import { z } from 'zod';
import { renderStoredEmail } from '../email';
import { getAllArticles } from '../content/load';
import { absoluteUrl, paths } from '../site';
import { parsePayload, UnsendableOutboxRowError, type OutboxTemplate } from '../outbox/templates';
import { log } from './log';
import { renderConfirmation } from './confirmation-render';
import { dataUrl } from './paths';
import { openSealedToken, type SealedTokenKind } from './tokens';

/**
 * The newsletter's emails as outbox templates: what a row's payload holds per kind, and how it
 * renders. Links that carry a token are built when the row is sent: the unsubscribe/manage token
 * from the subscriber id (lib/sending.ts), the confirmation and data-link tokens kept sealed
 * (tokens.ts) and erased once the row is finished. The welcome email's article list is frozen in
 * its payload, so a retry renders the same body.
 */

const text = (max: number) => z.string().trim().min(1).max(max);
const httpUrl = z.url({ protocol: /^https?$/ });

export const CONFIRMATION_TOKEN_TTL_HOURS = 48;
export const DATA_LINK_TTL_MINUTES = 60;

export const newsletterPayloadSchemas = {
  CONFIRMATION: z.object({
    /** The confirmation token, AES-GCM sealed; removed when the row is SENT, FAILED or CANCELLED. */
    sealedToken: z.string().min(1),
    expiresInHours: z.number().int().positive(),
  }),
  WELCOME: z.object({
    articles: z.array(z.object({ title: text(300), description: text(500), url: httpUrl })).max(10),
  }),
  /** A single-use export/delete link: the token sealed like a confirmation's, erased when the row is finished. */
  DATA_LINK: z.object({
    sealedToken: z.string().min(1),
    purpose: z.enum(['export', 'delete']),
    expiresInMinutes: z.number().int().positive(),
  }),
} as const;

export type ConfirmationPayload = z.infer<typeof newsletterPayloadSchemas.CONFIRMATION>;
export type WelcomePayload = z.infer<typeof newsletterPayloadSchemas.WELCOME>;
export type DataLinkPayload = z.infer<typeof newsletterPayloadSchemas.DATA_LINK>;

function openToken(sealed: string, secret: string, kind: SealedTokenKind): string {
  try {
    return openSealedToken(sealed, secret, kind);
  } catch (err) {
    // NEWSLETTER_SECRET changed since the row was written: the link cannot be rebuilt.
    throw new UnsendableOutboxRowError(`sealed ${kind} token cannot be opened (secret rotated?)`, { cause: err });
  }
}

/** The templates for CONFIRMATION, WELCOME and DATA_LINK rows; `secret` opens their sealed tokens. */
export function newsletterTemplates(secret: string) {
  return {
    CONFIRMATION: {
      // Only while pending (a resubscribed reader is pending again).
      audience: 'pending',
      render: async (raw, links) => {
        const payload = parsePayload(newsletterPayloadSchemas.CONFIRMATION, 'CONFIRMATION', raw);
        return renderConfirmation({
          confirmToken: openToken(payload.sealedToken, secret, 'confirmation'),
          unsubscribeUrl: links.unsubscribeUrl,
          expiresInHours: payload.expiresInHours,
        });
      },
    },
    WELCOME: {
      audience: 'confirmed',
      render: async (raw, links) => {
        const payload = parsePayload(newsletterPayloadSchemas.WELCOME, 'WELCOME', raw);
        return renderStoredEmail('welcome', {
          siteUrl: absoluteUrl('/'),
          articles: payload.articles,
          unsubscribeUrl: links.unsubscribeUrl,
          manageUrl: links.manageUrl,
        });
      },
    },
    DATA_LINK: {
      // Asked for by the subscriber whatever their status: an unsubscribed reader's data is still theirs.
      audience: 'anyone',
      render: async (raw, links) => {
        const payload = parsePayload(newsletterPayloadSchemas.DATA_LINK, 'DATA_LINK', raw);
        return renderStoredEmail('data-link', {
          purpose: payload.purpose,
          dataUrl: dataUrl(openToken(payload.sealedToken, secret, 'data-link')),
          unsubscribeUrl: links.unsubscribeUrl,
          expiresInMinutes: payload.expiresInMinutes,
        });
      },
    },
  } satisfies Record<'CONFIRMATION' | 'WELCOME' | 'DATA_LINK', OutboxTemplate>;
}

export const WELCOME_ARTICLE_COUNT = 3;

/** The newest articles for the welcome email, frozen into its payload. Never fails a confirmation. */
export function newestArticlesForWelcome(count: number = WELCOME_ARTICLE_COUNT): WelcomePayload['articles'] {
  try {
    return getAllArticles()
      .slice(0, count)
      .map((article) => ({ title: article.title, description: article.description, url: absoluteUrl(paths.article(article.slug)) }));
  } catch (err) {
    log.warn('welcome-articles-unavailable', { err });
    return [];
  }
}
