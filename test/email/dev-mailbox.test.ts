import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMailbox, DevMailboxTransport, getMailboxMessage, listMailbox } from '../../lib/email/dev-mailbox';
import { unsubscribeHeaders } from '../../lib/email/headers';
import type { OutgoingEmail } from '../../lib/email/transport';

let dir: string;
let logs: string[];
let now: Date;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mailbox-'));
  logs = [];
  now = new Date('2026-03-10T12:00:00Z');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function mailbox() {
  return new DevMailboxTransport({ dir, log: (entry) => logs.push(entry), now: () => now });
}

const confirm: OutgoingEmail = {
  to: 'reader@example.com',
  subject: 'Confirm your subscription to The Publication',
  html: '<p><a href="http://localhost:3000/newsletter/confirm?token=abc">Confirm</a></p>',
  text: 'Confirm my subscription http://localhost:3000/newsletter/confirm?token=abc',
  headers: unsubscribeHeaders('http://localhost:3000/newsletter/unsubscribe?token=u1'),
};

describe('DevMailboxTransport', () => {
  it('prints the email with its links to the log and stores it as a JSON file', async () => {
    const result = await mailbox().send(confirm, { idempotencyKey: 'confirm/1' });
    expect(result.ok).toBe(true);
    const id = result.ok ? result.providerId : '';

    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('reader@example.com');
    expect(logs[0]).toContain(confirm.subject);
    expect(logs[0]).toContain('http://localhost:3000/newsletter/confirm?token=abc');

    expect(await readdir(dir)).toEqual([`${id}.json`]);
    expect(await listMailbox({ dir })).toEqual([
      { id, to: 'reader@example.com', subject: confirm.subject, receivedAt: '2026-03-10T12:00:00.000Z' },
    ]);
    expect(await getMailboxMessage(id, { dir })).toEqual({
      id,
      ...confirm,
      idempotencyKey: 'confirm/1',
      receivedAt: '2026-03-10T12:00:00.000Z',
    });
  });

  it('is visible to another instance (another process reading the same folder)', async () => {
    await mailbox().send(confirm, { idempotencyKey: 'confirm/1' });
    const other = new DevMailboxTransport({ dir, log: () => {} });
    expect(other.dir).toBe(dir);
    expect(await listMailbox({ dir, to: 'READER@example.com' })).toHaveLength(1);
    expect(await listMailbox({ dir, to: 'someone-else@example.com' })).toHaveLength(0);
  });

  it('keeps one copy per idempotency key, like Resend, for 24 hours', async () => {
    const box = mailbox();
    const first = await box.send(confirm, { idempotencyKey: 'confirm/1' });
    const again = await box.send(confirm, { idempotencyKey: 'confirm/1' });
    expect(again).toEqual(first);
    expect(await listMailbox({ dir })).toHaveLength(1);
    expect(logs).toHaveLength(1);

    now = new Date('2026-03-11T12:00:01Z');
    await box.send({ ...confirm, subject: 'A fresh one' }, { idempotencyKey: 'confirm/1' });
    const [only] = await listMailbox({ dir });
    expect(only).toMatchObject({ subject: 'A fresh one', receivedAt: '2026-03-11T12:00:01.000Z' });
    expect(await readdir(dir)).toHaveLength(1); // no temp files left behind
  });

  it('lists newest first', async () => {
    const box = mailbox();
    await box.send({ ...confirm, subject: 'older' }, { idempotencyKey: 'a' });
    now = new Date('2026-03-10T12:05:00Z');
    await box.send({ ...confirm, subject: 'newer' }, { idempotencyKey: 'b' });
    expect((await listMailbox({ dir })).map((m) => m.subject)).toEqual(['newer', 'older']);
  });

  it('stores a batch as separate messages', async () => {
    const result = await mailbox().sendBatch(
      [
        { ...confirm, to: 'a@example.com' },
        { ...confirm, to: 'b@example.com' },
      ],
      { idempotencyKey: 'announce/1' },
    );
    expect(result.ok && result.providerIds).toHaveLength(2);
    expect((await listMailbox({ dir })).map((m) => m.to).sort()).toEqual(['a@example.com', 'b@example.com']);
  });

  it('answers null for unknown or path-like ids and [] for a missing folder', async () => {
    expect(await getMailboxMessage('../../etc/passwd', { dir })).toBeNull();
    expect(await getMailboxMessage('dev_000000000000000000000000', { dir })).toBeNull();
    await clearMailbox({ dir });
    expect(await listMailbox({ dir })).toEqual([]);
  });

  it('reports an unwritable folder as a retryable failure', async () => {
    const aFile = path.join(dir, 'not-a-folder');
    await writeFile(aFile, '');
    const blocked = new DevMailboxTransport({ dir: path.join(aFile, 'mailbox'), log: () => {} });
    expect(await blocked.send(confirm, { idempotencyKey: 'x' })).toMatchObject({ ok: false, retryable: true });
  });
});
