import { z } from 'zod';
import { renderStoredEmail } from '../email';
import { parsePayload, type OutboxTemplate } from '../outbox/templates';
import { EVERY_ARTICLE_SQL, WEEKLY_DIGEST_SQL } from '../reader-preference';

/** Announcements' emails as outbox templates: the payload per kind (written by enqueue.ts) and its rendering. */

const text = (max: number) => z.string().trim().min(1).max(max);
const httpUrl = z.url({ protocol: /^https?$/ });

export const announcePayloadSchemas = {
  /** The new-article template's props minus the unsubscribe link. */
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
  /** The weekly digest (weekly-digest.ts): the week and what was published since the last one; newest first. */
  WEEKLY_DIGEST: z.object({
    weekOf: z.iso.date(),
    articles: z.array(z.object({ title: text(300), description: text(500), articleUrl: httpUrl })).min(1).max(50),
  }),
} as const;

export type AnnouncementPayload = z.infer<typeof announcePayloadSchemas.ANNOUNCEMENT>;
export type DigestPayload = z.infer<typeof announcePayloadSchemas.DIGEST>;
export type WeeklyDigestPayload = z.infer<typeof announcePayloadSchemas.WEEKLY_DIGEST>;

// The reader's preference at send time: a pause or a switch of delivery since the enqueue wins.
const EVERY_ARTICLE = { sql: EVERY_ARTICLE_SQL, otherwise: 'paused, or chose another delivery' };
const WEEKLY_DIGEST = { sql: WEEKLY_DIGEST_SQL, otherwise: 'paused, or chose another delivery' };

export const announceTemplates = {
  ANNOUNCEMENT: {
    audience: 'confirmed',
    stillWanted: EVERY_ARTICLE,
    render: async (raw, links) =>
      renderStoredEmail('new-article', { ...parsePayload(announcePayloadSchemas.ANNOUNCEMENT, 'ANNOUNCEMENT', raw), unsubscribeUrl: links.unsubscribeUrl }),
  },
  DIGEST: {
    audience: 'confirmed',
    stillWanted: EVERY_ARTICLE,
    render: async (raw, links) =>
      renderStoredEmail('digest', { articles: parsePayload(announcePayloadSchemas.DIGEST, 'DIGEST', raw).articles, unsubscribeUrl: links.unsubscribeUrl }),
  },
  WEEKLY_DIGEST: {
    audience: 'confirmed',
    stillWanted: WEEKLY_DIGEST,
    render: async (raw, links) =>
      renderStoredEmail('weekly-digest', { ...parsePayload(announcePayloadSchemas.WEEKLY_DIGEST, 'WEEKLY_DIGEST', raw), ...links }),
  },
} satisfies Record<'ANNOUNCEMENT' | 'DIGEST' | 'WEEKLY_DIGEST', OutboxTemplate>;
