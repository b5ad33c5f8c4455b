import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readEmailConfig } from './config';
import type { BatchEmailTransport, BatchSendResult, EmailTransport, OutgoingEmail, SendOptions, SendResult } from './transport';

/**
 * Development transport: nothing leaves the machine. Each email is printed to the server log (the
 * plain text carries every link, so a confirmation can be clicked from the terminal) and written as
 * one JSON file under .data/mailbox/, which every process (dev server, e2e runner, scripts) can read
 * and which survives restarts. The /dev/mailbox page reads it through listMailbox/getMailboxMessage.
 */

const messageSchema = z.object({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  html: z.string(),
  text: z.string(),
  headers: z.record(z.string(), z.string()),
  idempotencyKey: z.string(),
  receivedAt: z.string(),
});

export type MailboxMessage = z.infer<typeof messageSchema>;
export type MailboxSummary = Pick<MailboxMessage, 'id' | 'to' | 'subject' | 'receivedAt'>;

// The id is derived from the idempotency key, so a retried send finds its earlier file instead of
// delivering twice, like Resend does. The strict pattern is also what keeps ids out of path traversal.
const ID_PATTERN = /^dev_[0-9a-f]{24}$/;
// Resend forgets idempotency keys after 24 hours; so do we (a reset dev database reuses keys).
const KEY_TTL_MS = 24 * 60 * 60 * 1000;

function idFor(idempotencyKey: string): string {
  return `dev_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}`;
}

function defaultDir(): string {
  return readEmailConfig().mailboxDir;
}

export type DevMailboxOptions = {
  dir?: string;
  /** Where the human-readable copy goes; the server log by default. */
  log?: (entry: string) => void;
  now?: () => Date;
};

export class DevMailboxTransport implements EmailTransport, BatchEmailTransport {
  readonly dir: string;
  readonly #log: (entry: string) => void;
  readonly #now: () => Date;

  constructor(options: DevMailboxOptions = {}) {
    this.dir = options.dir ?? defaultDir();
    // Deliberately not lib/log.ts, whose redaction would mask the address and the link's token:
    // printing them is the point of this development-only transport.
    this.#log = options.log ?? ((entry) => console.info(entry));
    this.#now = options.now ?? (() => new Date());
  }

  async send(message: OutgoingEmail, { idempotencyKey }: SendOptions): Promise<SendResult> {
    const id = idFor(idempotencyKey);
    const stored: MailboxMessage = { id, ...message, idempotencyKey, receivedAt: this.#now().toISOString() };
    try {
      await mkdir(this.dir, { recursive: true });
      const finalPath = path.join(this.dir, `${id}.json`);
      const tmpPath = path.join(this.dir, `.${id}.${randomUUID()}.tmp`);
      await writeFile(tmpPath, JSON.stringify(stored, null, 2));
      try {
        // link() fails with EEXIST instead of overwriting: an atomic "create if absent" across
        // processes, and readers never see a half-written file.
        await link(tmpPath, finalPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const existing = await readMessage(finalPath);
        const age = existing ? this.#now().getTime() - Date.parse(existing.receivedAt) : Infinity;
        if (age < KEY_TTL_MS) return { ok: true, providerId: id };
        await rename(tmpPath, finalPath);
      } finally {
        await unlink(tmpPath).catch(() => {});
      }
    } catch (err) {
      return { ok: false, retryable: true, error: `dev mailbox could not write ${this.dir}: ${String(err)}` };
    }
    this.#log(
      [
        `[dev-mailbox] email ${id} to ${message.to}`,
        `Subject: ${message.subject}`,
        '',
        message.text.trim(),
        `[dev-mailbox] end of ${id} (also at /dev/mailbox)`,
      ].join('\n'),
    );
    return { ok: true, providerId: id };
  }

  /** One file per message; each gets its own key derived from the batch key and its position. */
  async sendBatch(messages: readonly OutgoingEmail[], { idempotencyKey }: SendOptions): Promise<BatchSendResult> {
    const providerIds: string[] = [];
    for (const [index, message] of messages.entries()) {
      const result = await this.send(message, { idempotencyKey: `${idempotencyKey}#${index}` });
      if (!result.ok) return result;
      providerIds.push(result.providerId);
    }
    return { ok: true, providerIds };
  }
}

async function readMessage(file: string): Promise<MailboxMessage | null> {
  try {
    const parsed = messageSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null; // deleted between readdir and read, or not ours
  }
}

/** Newest first. `to` filters by recipient (case-insensitive), handy for e2e tests. */
export async function listMailbox(options: { dir?: string; to?: string; limit?: number } = {}): Promise<MailboxSummary[]> {
  const dir = options.dir ?? defaultDir();
  let names: string[];
  try {
    // Opaque to the build's file tracing: a development-only folder, and a traced dynamic path
    // would copy the whole project into the standalone server.
    names = await readdir(/* turbopackIgnore: true */ dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const ids = names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -5)).filter((id) => ID_PATTERN.test(id));
  const messages = (await Promise.all(ids.map((id) => readMessage(path.join(dir, `${id}.json`))))).filter(
    (message): message is MailboxMessage => message !== null,
  );
  const to = options.to?.toLowerCase();
  return messages
    .filter((message) => to === undefined || message.to.toLowerCase() === to)
    .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || a.id.localeCompare(b.id))
    .slice(0, options.limit ?? 100)
    .map(({ id, to: recipient, subject, receivedAt }) => ({ id, to: recipient, subject, receivedAt }));
}

/** null for unknown or malformed ids (the id comes from a URL; it never reaches the file system unchecked). */
export async function getMailboxMessage(id: string, options: { dir?: string } = {}): Promise<MailboxMessage | null> {
  if (!ID_PATTERN.test(id)) return null;
  return readMessage(path.join(options.dir ?? defaultDir(), `${id}.json`));
}

/** Empties the mailbox (tests, or a "clear" button on the dev page). */
export async function clearMailbox(options: { dir?: string } = {}): Promise<void> {
  await rm(options.dir ?? defaultDir(), { recursive: true, force: true });
}
