import type { OutgoingEmail } from '../email';
import { buildOutgoingEmail, UnsendableOutboxRowError, type OutboxRowForSending, type OutboxTemplates } from './templates';

/**
 * Per-recipient emails for a provider batch, fast enough to keep 200 emails a second flowing.
 *
 * Every email of an announcement is the same template with the same payload; only the recipient's
 * unsubscribe token differs (in the footer link and in the List-Unsubscribe header). Rendering
 * React Email costs milliseconds per email, so each distinct (kind, payload) is rendered once with
 * the token of a placeholder subscriber, and each recipient's copy replaces that token with theirs.
 * The result is byte-for-byte what buildOutgoingEmail renders for the row (test/announce/unit.test.ts, BatchRenderer),
 * which matters: a retried batch must send the same body under the same idempotency key.
 * If the placeholder token is not found in a rendering (a template that stopped showing the link),
 * each row is rendered on its own instead.
 */

const PLACEHOLDER_SUBSCRIBER_ID = '00000000-0000-4000-8000-000000000000';
const PLACEHOLDER_ADDRESS = 'placeholder@example.invalid';

type Template = { email: OutgoingEmail; token: string } | { error: unknown } | { perRow: true };

export type RenderedRow<R> = { row: R; email: OutgoingEmail } | { row: R; error: UnsendableOutboxRowError };

/** Caches one rendering per (kind, payload) for its templates; keep one per sender (payloads repeat across batches). */
export class BatchRenderer {
  readonly #templates = new Map<string, Promise<Template>>();
  readonly #maxTemplates: number;

  constructor(
    private readonly templates: OutboxTemplates,
    options: { maxTemplates?: number } = {},
  ) {
    this.#maxTemplates = options.maxTemplates ?? 64;
  }

  async render<R extends OutboxRowForSending>(rows: readonly R[]): Promise<RenderedRow<R>[]> {
    return Promise.all(rows.map((row) => this.#renderRow(row)));
  }

  async #renderRow<R extends OutboxRowForSending>(row: R): Promise<RenderedRow<R>> {
    try {
      if (!row.subscriberId) throw new UnsendableOutboxRowError('row has no subscriber (deleted)');
      const template = await this.#template(row);
      if ('error' in template) throw template.error;
      if ('perRow' in template) return { row, email: await buildOutgoingEmail(row, this.templates) };
      const token = this.templates.recipientToken(row.subscriberId);
      const swap = (value: string) => value.replaceAll(template.token, token);
      const { email } = template;
      return {
        row,
        email: {
          to: row.toAddress,
          subject: swap(email.subject),
          html: swap(email.html),
          text: swap(email.text),
          headers: Object.fromEntries(Object.entries(email.headers).map(([name, value]) => [name, swap(value)])),
        },
      };
    } catch (err) {
      if (err instanceof UnsendableOutboxRowError) return { row, error: err };
      return { row, error: new UnsendableOutboxRowError(err instanceof Error ? err.message : String(err), { cause: err }) };
    }
  }

  #template(row: OutboxRowForSending): Promise<Template> {
    const key = `${row.kind}\u0000${JSON.stringify(row.payload)}`;
    let template = this.#templates.get(key);
    if (!template) {
      if (this.#templates.size >= this.#maxTemplates) this.#templates.clear();
      template = this.#renderTemplate(row);
      this.#templates.set(key, template);
    }
    return template;
  }

  async #renderTemplate(row: OutboxRowForSending): Promise<Template> {
    try {
      const email = await buildOutgoingEmail(
        { ...row, subscriberId: PLACEHOLDER_SUBSCRIBER_ID, toAddress: PLACEHOLDER_ADDRESS },
        this.templates,
      );
      const token = this.templates.recipientToken(PLACEHOLDER_SUBSCRIBER_ID);
      const found = email.html.includes(token) && Object.values(email.headers).some((value) => value.includes(token));
      return found ? { email, token } : { perRow: true };
    } catch (err) {
      return { error: err };
    }
  }
}
