import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalInbox } from '@/lib/newsletter/inbox';
import { createTestDatabase, type TestDatabase } from './harness';

/**
 * The canonical inbox exists twice: canonicalInbox() in TypeScript (rate-limit keys, before any
 * query) and canonical_inbox() in SQL (the generated subscribers.inbox column). They must agree.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
}, 60_000);
afterAll(async () => database?.drop());

const ADDRESSES = [
  'victim@gmail.com',
  'v.ictim+1@gmail.com',
  'v.i.c.t.i.m+a+b@googlemail.com',
  '+tag@gmail.com',
  'jane.doe+x@outlook.com',
  'jane+@hotmail.com',
  'a.b+c@pm.me',
  'j.doe+billing@example.com',
  'name@sub.gmail.com',
  'x@yandex.ru',
];

describe('canonical_inbox (SQL) and canonicalInbox (TypeScript)', () => {
  it('agree on every rule', async () => {
    for (const email of ADDRESSES) {
      const [row] = await database.prisma.$queryRaw<{ inbox: string }[]>`SELECT canonical_inbox(${email}) AS inbox`;
      expect(row!.inbox, email).toBe(canonicalInbox(email));
    }
  });

  it('fill subscribers.inbox on every insert, however the row is written', async () => {
    const subscriber = await database.prisma.subscriber.create({ data: { email: 'f.o.o+bar@gmail.com' } });
    expect(subscriber.inbox).toBe('foo@gmail.com');
  });
});
