import { z } from 'zod';
import { unsubscribeHeaders, type OutgoingEmail, type RenderedEmail } from '../email';
import type { OutboxKind } from '../generated/prisma/client';

/**
 * How an outbox row becomes an email. The outbox knows no template: the features that write rows
 * (the newsletter's confirmation, welcome and data link; announcements' new article and digest)
 * provide one per kind, and the recipient's links, as an OutboxTemplates (lib/sending.ts puts them
 * together). Rows store only what cannot be recomputed at send time; rendering is deterministic
 * for a given row, so a retry sends the same body under the same Idempotency-Key, as Resend requires.
 */

/** The links that are the recipient's own (built from their token); every email has them. */
export type RecipientLinks = { unsubscribeUrl: string; manageUrl: string };

export type OutboxTemplate = {
  /** Who may still get it, checked right before every send: else the row is CANCELLED. */
  audience: 'confirmed' | 'pending' | 'anyone';
  /**
   * A further condition over `subscribers s`, checked with the audience before every batch send: a
   * feature's own rule (a reader's delivery preference, say), so the outbox need not know it.
   * `otherwise` is the reason recorded on a row it cancels.
   */
  stillWanted?: { sql: string; otherwise: string };
  /** Throws UnsendableOutboxRowError when the payload cannot become an email. */
  render(payload: unknown, links: RecipientLinks): Promise<RenderedEmail>;
};

export type OutboxTemplates = {
  byKind: Partial<Record<OutboxKind, OutboxTemplate>>;
  /** The recipient's token: it appears in their links (and nowhere else), so batch-render.ts can swap it. */
  recipientToken(subscriberId: string): string;
  links(recipientToken: string): RecipientLinks;
};

/** Keys erased from a payload once its row is finished (a sealed single-use token, say). */
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

/** For templates: the payload checked against its schema, or UnsendableOutboxRowError. */
export function parsePayload<S extends z.ZodType>(schema: S, kind: string, payload: unknown): z.infer<S> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new UnsendableOutboxRowError(`invalid ${kind} payload: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function templateFor(templates: OutboxTemplates, kind: OutboxKind): OutboxTemplate {
  const template = templates.byKind[kind];
  if (!template) throw new UnsendableOutboxRowError(`no template for outbox kind ${kind}`);
  return template;
}

/** Renders a row (HTML + text, List-Unsubscribe headers). Throws UnsendableOutboxRowError for a bad row. */
export async function buildOutgoingEmail(row: OutboxRowForSending, templates: OutboxTemplates): Promise<OutgoingEmail> {
  if (!row.subscriberId) throw new UnsendableOutboxRowError('row has no subscriber (deleted)');
  const template = templateFor(templates, row.kind);
  const links = templates.links(templates.recipientToken(row.subscriberId));
  let rendered: RenderedEmail;
  try {
    rendered = await template.render(row.payload, links);
  } catch (err) {
    if (err instanceof UnsendableOutboxRowError) throw err;
    throw new UnsendableOutboxRowError(`rendering ${row.kind} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return { to: row.toAddress, ...rendered, headers: unsubscribeHeaders(links.unsubscribeUrl) };
}

/**
 * Each kind's audience as SQL over `outbox_emails o` and `subscribers s`: true for a row whose
 * subscriber is no longer who its template is for (a kind without a template: confirmed subscribers).
 */
export function outsideAudienceSql(templates: OutboxTemplates): string {
  const needed = { confirmed: "s.status <> 'CONFIRMED'", pending: "s.status <> 'PENDING'", anyone: 'false' } as const;
  const kinds = Object.entries(templates.byKind).flatMap(([kind, template]) => (template ? [`WHEN '${kind}' THEN ${needed[template.audience]}`] : []));
  return kinds.length === 0 ? needed.confirmed : `(CASE o.kind::text ${kinds.join(' ')} ELSE ${needed.confirmed} END)`;
}

/**
 * The templates' stillWanted rules as SQL over `outbox_emails o` and `subscribers s`: `unwanted` is
 * true for a row its kind's rule no longer admits, `why` is that rule's reason (else NULL).
 */
export function stillWantedSql(templates: OutboxTemplates): { unwanted: string; why: string } {
  const rules = Object.entries(templates.byKind).flatMap(([kind, template]) =>
    template?.stillWanted ? [{ when: `o.kind = '${kind}' AND NOT (${template.stillWanted.sql})`, why: template.stillWanted.otherwise }] : [],
  );
  if (rules.length === 0) return { unwanted: 'false', why: 'NULL' };
  return {
    unwanted: rules.map((rule) => `(${rule.when})`).join(' OR '),
    why: `CASE ${rules.map((rule) => `WHEN ${rule.when} THEN '${rule.why.replaceAll("'", "''")}'`).join(' ')} END`,
  };
}
