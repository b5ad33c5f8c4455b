import { z } from 'zod';
import { renderStoredEmail, unsubscribeHeaders, type OutgoingEmail } from '../email';
import { getAllArticles } from '../content/load';
import type { OutboxKind } from '../generated/prisma/client';
import { absoluteUrl, paths } from '../site';
import { log } from './log';
import { confirmUrl, dataUrl, manageUrl, unsubscribeUrl } from '../newsletter/paths';
import { createManageToken, openSealedToken } from '../newsletter/tokens';

/**
 * What an outbox row's `payload` holds per kind, and how a row becomes an email.
 *
 * Rows store only what cannot be recomputed at send time. Links that carry a token are built when
 * the row is sent: the unsubscribe/manage token is derived from the subscriber id, the
 * confirmation token is kept sealed (see tokens.ts) and erased once the row is finished. Rendering
 * is deterministic for a given row (the welcome email's article list is frozen in the payload), so
 * a retry sends the same body under the same Idempotency-Key, as Resend requires.
 */

const text = (max: number) => z.string().trim().min(1).max(max);
const httpUrl = z.url({ protocol: /^https?$/ });

export const CONFIRMATION_TOKEN_TTL_HOURS = 48;
export const DATA_LINK_TTL_MINUTES = 60;

export const outboxPayloadSchemas = {
  CONFIRMATION: z.object({
    /** The confirmation token, AES-GCM sealed; removed when the row is SENT, FAILED or CANCELLED. */
    sealedToken: z.string().min(1),
    expiresInHours: z.number().int().positive(),
  }),
  WELCOME: z.object({
    articles: z.array(z.object({ title: text(300), description: text(500), url: httpUrl })).max(10),
  }),
  /** For the new-article announcement (written by the announce side): the template's props minus the unsubscribe link. */
  ANNOUNCEMENT: z.object({
    title: text(300),
    description: text(500),
    takeaways: z.array(text(500)).max(20),
    articleUrl: httpUrl,
  }),
  /** Several new articles in one email (an announce run that found more than three); newest first. */
  DIGEST: z.object({
    articles: z.array(z.object({ title: text(300), description: text(500), articleUrl: httpUrl })).min(2).max(50),
  }),
  /** The weekly digest (lib/announce/weekly-digest.ts): the week and what was published since the last one; newest first. */
  WEEKLY_DIGEST: z.object({
    weekOf: z.iso.date(),
    articles: z.array(z.object({ title: text(300), description: text(500), articleUrl: httpUrl })).min(1).max(50),
  }),
  /** A single-use export/delete link: the token sealed like a confirmation's, erased when the row is finished. */
  DATA_LINK: z.object({
    sealedToken: z.string().min(1),
    purpose: z.enum(['export', 'delete']),
    expiresInMinutes: z.number().int().positive(),
  }),
} as const;

export type ConfirmationPayload = z.infer<typeof outboxPayloadSchemas.CONFIRMATION>;
export type WelcomePayload = z.infer<typeof outboxPayloadSchemas.WELCOME>;
export type AnnouncementPayload = z.infer<typeof outboxPayloadSchemas.ANNOUNCEMENT>;
export type DigestPayload = z.infer<typeof outboxPayloadSchemas.DIGEST>;
export type DataLinkPayload = z.infer<typeof outboxPayloadSchemas.DATA_LINK>;
export type WeeklyDigestPayload = z.infer<typeof outboxPayloadSchemas.WEEKLY_DIGEST>;

/** Keys erased from a payload once its row is finished. */
export const SECRET_PAYLOAD_KEYS = ['sealedToken'] as const;

export function withoutSecrets(payload: unknown): unknown {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return payload;
  const copy: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
  for (const key of SECRET_PAYLOAD_KEYS) delete copy[key];
  return copy;
}

/** An outbox row that cannot be turned into an email: retrying will not help. */
export class UnsendableOutboxRowError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnsendableOutboxRowError';
  }
}

export type OutboxRowForSending = {
  id: string;
  kind: OutboxKind;
  subscriberId: string | null;
  toAddress: string;
  payload: unknown;
};

function parsePayload<K extends keyof typeof outboxPayloadSchemas>(kind: K, payload: unknown): z.infer<(typeof outboxPayloadSchemas)[K]> {
  const parsed = outboxPayloadSchemas[kind].safeParse(payload);
  if (!parsed.success) throw new UnsendableOutboxRowError(`invalid ${kind} payload: ${z.prettifyError(parsed.error)}`);
  return parsed.data as z.infer<(typeof outboxPayloadSchemas)[K]>;
}

/** Renders a row (HTML + text, List-Unsubscribe headers). Throws UnsendableOutboxRowError for a bad row. */
export async function buildOutgoingEmail(row: OutboxRowForSending, secret: string): Promise<OutgoingEmail> {
  if (!row.subscriberId) throw new UnsendableOutboxRowError('row has no subscriber (deleted)');
  const unsubscribe = unsubscribeUrl(createManageToken(row.subscriberId, secret));
  let rendered;
  try {
    switch (row.kind) {
      case 'CONFIRMATION': {
        const payload = parsePayload('CONFIRMATION', row.payload);
        let token: string;
        try {
          token = openSealedToken(payload.sealedToken, secret);
        } catch (err) {
          // NEWSLETTER_SECRET changed since the row was written: the link cannot be rebuilt.
          throw new UnsendableOutboxRowError('sealed confirmation token cannot be opened (secret rotated?)', { cause: err });
        }
        rendered = await renderStoredEmail('confirmation', {
          confirmUrl: confirmUrl(token),
          unsubscribeUrl: unsubscribe,
          expiresInHours: payload.expiresInHours,
        });
        break;
      }
      case 'WELCOME': {
        const payload = parsePayload('WELCOME', row.payload);
        rendered = await renderStoredEmail('welcome', {
          siteUrl: absoluteUrl('/'),
          articles: payload.articles,
          unsubscribeUrl: unsubscribe,
          manageUrl: manageUrl(createManageToken(row.subscriberId, secret)),
        });
        break;
      }
      case 'ANNOUNCEMENT': {
        const payload = parsePayload('ANNOUNCEMENT', row.payload);
        rendered = await renderStoredEmail('new-article', { ...payload, unsubscribeUrl: unsubscribe });
        break;
      }
      case 'DIGEST': {
        const payload = parsePayload('DIGEST', row.payload);
        rendered = await renderStoredEmail('digest', { articles: payload.articles, unsubscribeUrl: unsubscribe });
        break;
      }
      case 'WEEKLY_DIGEST': {
        const payload = parsePayload('WEEKLY_DIGEST', row.payload);
        rendered = await renderStoredEmail('weekly-digest', {
          ...payload,
          unsubscribeUrl: unsubscribe,
          manageUrl: manageUrl(createManageToken(row.subscriberId, secret)),
        });
        break;
      }
      case 'DATA_LINK': {
        const payload = parsePayload('DATA_LINK', row.payload);
        let token: string;
        try {
          token = openSealedToken(payload.sealedToken, secret, 'data-link');
        } catch (err) {
          throw new UnsendableOutboxRowError('sealed data-link token cannot be opened (secret rotated?)', { cause: err });
        }
        rendered = await renderStoredEmail('data-link', {
          purpose: payload.purpose,
          dataUrl: dataUrl(token),
          unsubscribeUrl: unsubscribe,
          expiresInMinutes: payload.expiresInMinutes,
        });
        break;
      }
      default:
        throw new UnsendableOutboxRowError(`no template for outbox kind ${row.kind}`);
    }
  } catch (err) {
    if (err instanceof UnsendableOutboxRowError) throw err;
    throw new UnsendableOutboxRowError(`rendering ${row.kind} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return { to: row.toAddress, ...rendered, headers: unsubscribeHeaders(unsubscribe) };
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
