import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '@/lib/generated/prisma/client';
import { createTestDatabase, type TestDatabase } from './harness';

/** What the database itself guarantees, whatever code writes to it. Real Postgres. */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
}, 60_000);
afterAll(() => database?.drop());

const tokenHash = () => createHash('sha256').update(randomBytes(32)).digest('hex');
let counter = 0;
const uniqueEmail = () => `reader${++counter}-${randomBytes(4).toString('hex')}@example.com`;

function prismaCode(err: unknown): string | undefined {
  return err instanceof Prisma.PrismaClientKnownRequestError ? err.code : undefined;
}

describe('subscribers', () => {
  it('refuses a second row with the same email (P2002 on the email column)', async () => {
    const email = uniqueEmail();
    await database.prisma.subscriber.create({ data: { email, source: 'home' } });
    const second = database.prisma.subscriber.create({ data: { email, source: 'article:x' } });
    const err = await second.catch((error: unknown) => error);
    expect(prismaCode(err)).toBe('P2002');
    expect(JSON.stringify((err as Prisma.PrismaClientKnownRequestError).meta)).toContain('email');
    expect(await database.prisma.subscriber.count({ where: { email } })).toBe(1);
  });

  it('refuses an address that is not lowercased and trimmed, so uniqueness cannot be dodged by case', async () => {
    const email = uniqueEmail();
    await database.prisma.subscriber.create({ data: { email } });
    for (const variant of [email.toUpperCase(), ` ${email}`, `${email} `, '']) {
      await expect(database.prisma.subscriber.create({ data: { email: variant } })).rejects.toThrow(
        /subscribers_email_normalized_check|constraint/i,
      );
    }
  });

  it('starts PENDING with timestamps set and the confirmation fields empty', async () => {
    const before = Date.now();
    const subscriber = await database.prisma.subscriber.create({ data: { email: uniqueEmail(), source: 'home' } });
    expect(subscriber.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(subscriber.status).toBe('PENDING');
    expect(subscriber.createdAt.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    expect(subscriber.updatedAt.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    expect(subscriber.confirmedAt).toBeNull();
    expect(subscriber.unsubscribedAt).toBeNull();
    expect(subscriber.lastConfirmationSentAt).toBeNull();
  });
});

describe('confirmation tokens', () => {
  it('are unique by hash and deleted with their subscriber', async () => {
    const subscriber = await database.prisma.subscriber.create({ data: { email: uniqueEmail() } });
    const hash = tokenHash();
    const expiresAt = new Date(Date.now() + 86_400_000);
    await database.prisma.confirmationToken.create({ data: { subscriberId: subscriber.id, tokenHash: hash, expiresAt } });
    const duplicate = await database.prisma.confirmationToken
      .create({ data: { subscriberId: subscriber.id, tokenHash: hash, expiresAt } })
      .catch((error: unknown) => error);
    expect(prismaCode(duplicate)).toBe('P2002');

    await database.prisma.subscriber.delete({ where: { id: subscriber.id } });
    expect(await database.prisma.confirmationToken.count({ where: { tokenHash: hash } })).toBe(0);
  });

  it('must belong to an existing subscriber', async () => {
    const orphan = await database.prisma.confirmationToken
      .create({
        data: { subscriberId: '00000000-0000-4000-8000-000000000000', tokenHash: tokenHash(), expiresAt: new Date() },
      })
      .catch((error: unknown) => error);
    expect(prismaCode(orphan)).toBe('P2003');
  });
});

describe('outbox emails', () => {
  it('are QUEUED, due now, with zero attempts, and keep their history when the subscriber goes', async () => {
    const subscriber = await database.prisma.subscriber.create({ data: { email: uniqueEmail() } });
    const before = Date.now();
    const email = await database.prisma.outboxEmail.create({
      data: {
        kind: 'CONFIRMATION',
        subscriberId: subscriber.id,
        toAddress: subscriber.email,
        payload: { confirmUrl: 'http://localhost:3000/newsletter/confirm?token=abc' },
      },
    });
    expect(email.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(email.status).toBe('QUEUED');
    expect(email.attempts).toBe(0);
    expect(email.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    expect(email.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now() + 5_000);
    expect(email.payload).toEqual({ confirmUrl: 'http://localhost:3000/newsletter/confirm?token=abc' });

    await database.prisma.subscriber.delete({ where: { id: subscriber.id } });
    const after = await database.prisma.outboxEmail.findUniqueOrThrow({ where: { id: email.id } });
    expect(after.subscriberId).toBeNull();
    expect(after.toAddress).toBe(subscriber.email);
  });

  it('must name an existing subscriber, checked once per statement (a trigger, not a per-row key)', async () => {
    const subscriber = await database.prisma.subscriber.create({ data: { email: uniqueEmail() } });
    const missing = '00000000-0000-4000-8000-000000000000';
    const insert = (ids: string[]) =>
      database.prisma.$executeRawUnsafe(
        `INSERT INTO outbox_emails (id, kind, subscriber_id, to_address, payload)
         SELECT gen_random_uuid(), 'ANNOUNCEMENT', x, 'a@example.com', '{}' FROM unnest($1::uuid[]) AS x`,
        ids,
      );
    // One orphan among valid rows refuses the whole statement.
    await expect(insert([subscriber.id, missing, subscriber.id])).rejects.toThrow(/outbox_emails_subscriber_id_fkey/);
    expect(await database.prisma.outboxEmail.count({ where: { subscriberId: subscriber.id } })).toBe(0);
    await expect(database.prisma.outboxEmail.create({ data: { kind: 'CONFIRMATION', subscriberId: missing, toAddress: 'a@example.com', payload: {} } })).rejects.toThrow(
      /outbox_emails_subscriber_id_fkey/,
    );
    expect(await insert([subscriber.id, subscriber.id])).toBe(2);
  });

  it('cannot outlive a subscriber deleted while it is being inserted, in either order', async () => {
    const prisma = database.prisma;
    const insertFor = (id: string) =>
      prisma.$executeRawUnsafe(`INSERT INTO outbox_emails (id, kind, subscriber_id, to_address, payload) VALUES (gen_random_uuid(), 'ANNOUNCEMENT', $1::uuid, 'a@example.com', '{}')`, id);
    const waitForLockWaiter = async () => {
      for (;;) {
        const rows = await prisma.$queryRawUnsafe<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        if (rows[0]!.n > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    /** Runs `first` in a transaction held open until `second` waits on its locks, then commits it. */
    const overlap = async (first: (tx: Prisma.TransactionClient) => Promise<unknown>, second: () => Promise<unknown>) => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let started!: () => void;
      const begun = new Promise<void>((resolve) => (started = resolve));
      const transaction = prisma.$transaction(async (tx) => {
        await first(tx);
        started();
        await held;
      });
      await begun;
      const waiting = second().then((value) => ({ value }), (error: unknown) => ({ error }));
      await waitForLockWaiter();
      release();
      await transaction;
      return waiting;
    };

    // Deleted first: the insert waits for the deletion's commit, then finds no subscriber and fails.
    const gone = await prisma.subscriber.create({ data: { email: uniqueEmail() } });
    const late = await overlap((tx) => tx.subscriber.delete({ where: { id: gone.id } }), () => insertFor(gone.id));
    expect(String((late as { error?: unknown }).error)).toMatch(/outbox_emails_subscriber_id_fkey/);
    expect(await prisma.outboxEmail.count({ where: { subscriberId: gone.id } })).toBe(0);

    // Inserted first: the deletion waits for the insert's commit, then nulls the row's subscriber_id.
    const leaving = await prisma.subscriber.create({ data: { email: uniqueEmail() } });
    const before = await prisma.outboxEmail.count({ where: { subscriberId: null } });
    const deletion = await overlap((tx) => tx.$executeRawUnsafe(
      `INSERT INTO outbox_emails (id, kind, subscriber_id, to_address, payload) VALUES (gen_random_uuid(), 'ANNOUNCEMENT', $1::uuid, 'a@example.com', '{}')`, leaving.id,
    ), () => prisma.subscriber.delete({ where: { id: leaving.id } }));
    expect(deletion).not.toHaveProperty('error');
    expect(await prisma.outboxEmail.count({ where: { subscriberId: leaving.id } })).toBe(0);
    expect(await prisma.outboxEmail.count({ where: { subscriberId: null } })).toBe(before + 1);
  });

  it('dedupe keys are unique when set, and any number of rows may have none', async () => {
    const base = { kind: 'ANNOUNCEMENT' as const, toAddress: 'a@example.com', payload: {} };
    const key = `announcement:test:${randomBytes(4).toString('hex')}`;
    await database.prisma.outboxEmail.create({ data: { ...base, dedupeKey: key } });
    const duplicate = await database.prisma.outboxEmail
      .create({ data: { ...base, dedupeKey: key } })
      .catch((error: unknown) => error);
    expect(prismaCode(duplicate)).toBe('P2002');
    await database.prisma.outboxEmail.createMany({ data: [base, base, base] });
  });
});

describe('rate limit buckets', () => {
  // Prisma turns this upsert (unique where, same key in create) into INSERT ... ON CONFLICT DO
  // UPDATE, so concurrent hits from several instances all count and none fails.
  it('count concurrent hits on one key exactly, with a single upsert each', async () => {
    const key = `subscribe:ip:${randomBytes(4).toString('hex')}`;
    const windowStart = new Date();
    const hit = () =>
      database.prisma.rateLimitBucket.upsert({
        where: { key },
        create: { key, windowStart, count: 1 },
        update: { count: { increment: 1 } },
      });
    await Promise.all(Array.from({ length: 20 }, hit));
    const bucket = await database.prisma.rateLimitBucket.findUniqueOrThrow({ where: { key } });
    expect(bucket.count).toBe(20);
  });
});
