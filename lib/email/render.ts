import { render, toPlainText } from '@react-email/render';
import { createElement, type ReactElement } from 'react';
import { z } from 'zod';
import { ConfirmSubscriptionEmail, confirmSubscriptionSubject } from '../../emails/confirm-subscription';
import { DataLinkEmail, dataLinkSubject } from '../../emails/data-link';
import { DigestEmail, digestSubject } from '../../emails/digest';
import { NewArticleEmail, newArticleSubject } from '../../emails/new-article';
import { WeeklyDigestEmail, weeklyDigestSubject } from '../../emails/weekly-digest';
import { WelcomeEmail, welcomeSubject } from '../../emails/welcome';
import { site } from '../site';

// http(s) only: a javascript: or data: URL in a button would be an injection, and localhost must pass (dev, e2e).
const link = z.url({ protocol: /^https?$/, error: 'an absolute http(s) URL' });
const line = (max: number) => z.string().trim().min(1).max(max);
// The templates take the name as a prop (pure functions of props); callers may omit it and get
// lib/site.ts's name at render time, so a rename also applies to emails still in the outbox.
const siteName = line(120).default(site.name);

/**
 * One schema per kind. The outbox stores `{ kind, props }` as JSON and renders at send time, so these
 * run on data read back from the database, not only on what the caller typed.
 */
export const emailPropsSchemas = {
  confirmation: z
    .object({
      siteName,
      confirmUrl: link,
      unsubscribeUrl: link,
      expiresInHours: z.number().int().positive().max(24 * 30).optional(),
    })
    .strict(),
  welcome: z
    .object({
      siteName,
      siteUrl: link.default(site.url),
      articles: z
        .array(z.object({ title: line(300), description: line(500), url: link }).strict())
        .max(10),
      unsubscribeUrl: link,
      manageUrl: link,
    })
    .strict(),
  'new-article': z
    .object({
      siteName,
      title: line(300),
      description: line(500),
      takeaways: z.array(line(500)).max(20),
      articleUrl: link,
      unsubscribeUrl: link,
    })
    .strict(),
  /** Several new articles in one email (an announce run that found more than three). */
  digest: z
    .object({
      siteName,
      articles: z
        .array(z.object({ title: line(300), description: line(500), articleUrl: link }).strict())
        .min(2)
        .max(50),
      unsubscribeUrl: link,
    })
    .strict(),
  /** The weekly digest (subscribers who chose it): what was published since their last one. */
  'weekly-digest': z
    .object({
      siteName,
      weekOf: z.iso.date(),
      articles: z
        .array(z.object({ title: line(300), description: line(500), articleUrl: link }).strict())
        .min(1)
        .max(50),
      unsubscribeUrl: link,
      manageUrl: link,
    })
    .strict(),
  /** The single-use export/delete link a subscriber asked for on the manage page. */
  'data-link': z
    .object({
      siteName,
      purpose: z.enum(['export', 'delete']),
      dataUrl: link,
      unsubscribeUrl: link,
      expiresInMinutes: z.number().int().positive().max(24 * 60),
    })
    .strict(),
} as const;

export type EmailKind = keyof typeof emailPropsSchemas;
export const EMAIL_KINDS = Object.keys(emailPropsSchemas) as EmailKind[];
export type EmailProps<K extends EmailKind> = z.input<(typeof emailPropsSchemas)[K]>;

export type RenderedEmail = { subject: string; html: string; text: string };

export class InvalidEmailPropsError extends Error {
  readonly issues: z.core.$ZodIssue[];
  constructor(kind: string, issues: z.core.$ZodIssue[]) {
    super(`invalid props for email "${kind}": ${z.prettifyError({ issues } as z.ZodError)}`);
    this.name = 'InvalidEmailPropsError';
    this.issues = issues;
  }
}

// render.ts stays a .ts file (the module name callers know), hence createElement instead of JSX.
function build(kind: EmailKind, props: unknown): { subject: string; element: ReactElement } {
  switch (kind) {
    case 'confirmation': {
      const p = parse('confirmation', props);
      return { subject: confirmSubscriptionSubject(p), element: createElement(ConfirmSubscriptionEmail, p) };
    }
    case 'welcome': {
      const p = parse('welcome', props);
      return { subject: welcomeSubject(p), element: createElement(WelcomeEmail, p) };
    }
    case 'new-article': {
      const p = parse('new-article', props);
      return { subject: newArticleSubject(p), element: createElement(NewArticleEmail, p) };
    }
    case 'digest': {
      const p = parse('digest', props);
      return { subject: digestSubject(p), element: createElement(DigestEmail, p) };
    }
    case 'weekly-digest': {
      const p = parse('weekly-digest', props);
      return { subject: weeklyDigestSubject(p), element: createElement(WeeklyDigestEmail, p) };
    }
    case 'data-link': {
      const p = parse('data-link', props);
      return { subject: dataLinkSubject(p), element: createElement(DataLinkEmail, p) };
    }
  }
}

function parse<K extends EmailKind>(kind: K, props: unknown): z.output<(typeof emailPropsSchemas)[K]> {
  const result = emailPropsSchemas[kind].safeParse(props);
  if (!result.success) throw new InvalidEmailPropsError(kind, result.error.issues);
  return result.data as z.output<(typeof emailPropsSchemas)[K]>;
}

// html-to-text upper-cases headings by default; an article title in capitals reads as shouting.
const plainTextOptions = {
  selectors: ['h1', 'h2', 'h3'].map((selector) => ({ selector, options: { uppercase: false } })),
};

/**
 * Renders one email to subject, HTML and plain text. Throws InvalidEmailPropsError when the props
 * do not match the kind's schema: that is a bug or a corrupted outbox row, never worth retrying.
 */
export async function renderEmail<K extends EmailKind>(kind: K, props: EmailProps<K>): Promise<RenderedEmail> {
  return renderStoredEmail(kind, props);
}

/** For rows read back from the outbox: the kind is a string and the props are unknown JSON. */
export async function renderStoredEmail(kind: string, props: unknown): Promise<RenderedEmail> {
  if (!isEmailKind(kind)) {
    throw new InvalidEmailPropsError(kind, [
      { code: 'custom', path: ['kind'], message: `unknown email kind; expected one of ${EMAIL_KINDS.join(', ')}`, input: kind },
    ]);
  }
  const { subject, element } = build(kind, props);
  const html = await render(element);
  const text = toPlainText(html, plainTextOptions);
  return { subject, html, text };
}

export function isEmailKind(kind: string): kind is EmailKind {
  return Object.hasOwn(emailPropsSchemas, kind);
}
