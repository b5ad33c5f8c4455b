/**
 * The fleet's shared database and mailbox, read by the proofs: subscriber rows, outbox rows and
 * their claims, and the run-wide email invariant checked against the fake Resend API.
 */
import type pg from 'pg';
import { expect } from 'vitest';
import type { FakeDelivery, FakeResend } from '@/testing/fake-resend/server';
import { until } from '@/testing/wait';
import { countBy, formatCounts } from './figures';

export type Db = pg.Pool;

export async function subscriberEmails(db: Db, like: string): Promise<Set<string>> {
  const { rows } = await db.query<{ email: string }>('SELECT email FROM subscribers WHERE email LIKE $1', [like]);
  return new Set(rows.map((row) => row.email));
}

async function outboxByStatus(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; count: string }>('SELECT status::text AS status, count(*) AS count FROM outbox_emails GROUP BY status');
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
}

export type Claim = { id: string; claimedUntil: Date };

/** Outbox rows in SENDING claimed by the process `pid`. */
export async function claimsHeldBy(db: Db, pid: number): Promise<Claim[]> {
  // claimed_by is host:pid:random (the loop) or immediate:host:pid:random (the send after a signup).
  const { rows } = await db.query<Claim>(
    `SELECT id::text AS id, lease_until AS "claimedUntil" FROM outbox_emails WHERE status = 'SENDING' AND claimed_by LIKE $1`,
    [`%:${pid}:%`],
  );
  return rows;
}

/** Waits until every outbox row has been dealt with (none QUEUED or SENDING); fails naming those left. */
export async function waitOutboxSettled(db: Db, timeoutMs: number): Promise<void> {
  try {
    await until(
      'the outbox to drain (no row QUEUED or SENDING)',
      timeoutMs,
      async () => {
        const counts = await outboxByStatus(db);
        return (counts.QUEUED ?? 0) + (counts.SENDING ?? 0) === 0;
      },
      250,
    );
  } catch (err) {
    const { rows } = await db.query(
      `SELECT id, status::text, attempts, claimed_by, lease_until, next_attempt_at, last_error FROM outbox_emails WHERE status IN ('QUEUED', 'SENDING') LIMIT 10`,
    );
    throw new Error(`${(err as Error).message}\n${rows.map((row) => JSON.stringify(row)).join('\n')}`);
  }
}

/** One email of a provider batch: the batch's Idempotency-Key covers all its recipients. */
const deliveryKey = (batchKey: string, address: string) => `${batchKey} to ${address}`;

function recipientOf(delivery: FakeDelivery): string {
  const to = delivery.to[0] ?? '';
  return (/<([^<>]+)>\s*$/.exec(to)?.[1] ?? to).trim().toLowerCase();
}

/**
 * The run-wide email invariant: every outbox row is SENT (no retry left over, none stuck, none
 * failed), each subscriber got exactly one confirmation, each delivery is one outbox row (its
 * Idempotency-Key, or for confirmations that piled up and went as one provider batch, the batch's
 * key and the address) to that row's address, and nothing was delivered twice.
 */
export async function expectOneConfirmationEach(db: Db, fake: FakeResend, phase: string): Promise<{ subscribers: number; deliveries: number }> {
  const statuses = await outboxByStatus(db);
  expect(Object.keys(statuses).filter((status) => status !== 'SENT'), `${phase}: outbox rows not SENT (${formatCounts(statuses)})`).toEqual([]);
  const subscribers = await subscriberEmails(db, '%');
  const { rows: outbox } = await db.query<{ id: string; to_address: string; kind: string; batch_key: string | null }>(
    `SELECT o.id::text AS id, o.to_address, o.kind::text AS kind, b.idempotency_key AS batch_key
     FROM outbox_emails o LEFT JOIN outbox_batches b ON b.id = o.batch_id`,
  );
  const rowByKey = new Map(outbox.map((row) => [row.batch_key === null ? row.id : deliveryKey(row.batch_key, row.to_address), row]));
  const deliveries = fake.deliveries();

  const byAddress = new Map<string, FakeDelivery[]>();
  const byKey = new Map<string, number>();
  const problems: string[] = [];
  for (const delivery of deliveries) {
    const address = recipientOf(delivery);
    byAddress.set(address, [...(byAddress.get(address) ?? []), delivery]);
    const sentKey = delivery.idempotencyKey ?? '(none)';
    const key = delivery.viaBatch ? deliveryKey(sentKey, address) : sentKey;
    byKey.set(key, (byKey.get(key) ?? 0) + 1);
    const row = rowByKey.get(key);
    if (!row) problems.push(`delivery to ${address} with Idempotency-Key ${key}: no such outbox row`);
    else if (row.to_address !== address) problems.push(`delivery for row ${key} went to ${address}, the row says ${row.to_address}`);
    else if (row.kind !== 'CONFIRMATION') problems.push(`row ${key} is a ${row.kind}, expected only confirmations`);
  }
  for (const [key, count] of byKey) if (count > 1) problems.push(`Idempotency-Key ${key} delivered ${count} times`);
  for (const [address, list] of byAddress) if (list.length > 1) problems.push(`${address} got ${list.length} confirmations`);
  for (const address of subscribers) if (!byAddress.has(address)) problems.push(`${address} has a row but got no confirmation`);
  for (const address of byAddress.keys()) if (!subscribers.has(address)) problems.push(`${address} got an email but has no row`);
  expect(problems.slice(0, 20), `${phase}: not exactly one confirmation per subscriber (${problems.length} problems)`).toEqual([]);
  expect(outbox.length, `${phase}: outbox rows for ${subscribers.size} subscribers`).toBe(subscribers.size);
  return { subscribers: subscribers.size, deliveries: deliveries.length };
}

/** How many Idempotency-Keys among `ids` the fake received more than once (replayed, not delivered twice). */
export function replayedKeys(fake: FakeResend, ids: readonly string[]): number {
  const requests = fake.requests().filter((r) => r.path === '/emails' && ids.includes(r.headers['idempotency-key'] ?? ''));
  return Object.values(countBy(requests, (r) => r.headers['idempotency-key']!)).filter((count) => count > 1).length;
}
