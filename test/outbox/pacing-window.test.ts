import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '@/lib/db';
import { applyMigrations } from '@/lib/db/migrate';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { SharedPacer } from '@/lib/outbox/pacing';
import { createDatabase, type TemporaryDatabase } from '../../testing/postgres';

/**
 * The shared pacer's rule, played by two "instances" (two pacers on one row) without a provider:
 * a request that reaches the provider late (here: answered late) still counts where it may have
 * arrived, so no later slot puts a third request into a second that already holds two.
 */

let database: TemporaryDatabase;
let db: PrismaClient;

beforeAll(async () => {
  database = await createDatabase({ prefix: 'pubtest_pacing_window' });
  await applyMigrations(database.url);
  db = createPrismaClient(database.url);
}, 60_000);

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('shared pacing counts where a request may have arrived', () => {
  it('a late-answered request holds back the slot two after it until a second past its answer', async () => {
    const a = new SharedPacer({ db, name: 'window-late', requestsPerSecond: 2, marginPercent: 0 });
    const b = new SharedPacer({ db, name: 'window-late', requestsPerSecond: 2, marginPercent: 0 });

    const late = await a.take(); // A's request leaves, and is answered only 1.2 s later
    const answering = sleep(1_200).then(async () => {
      const answeredAt = Date.now();
      await late.done();
      return answeredAt;
    });
    const first = await b.take();
    await first.done();
    const second = await b.take(); // a second after B's first: A may arrive inside that second, but two fit
    await second.done();
    const third = await b.take(); // A (answered at 1.2 s) and B's second may lie in the second before: wait past A's answer
    const thirdAt = Date.now();
    await third.done();

    expect(thirdAt - (await answering)).toBeGreaterThanOrEqual(1_000);
  }, 30_000);

  it('a slot taken and never answered (the process died) holds its place for the in-flight bound', async () => {
    const dead = new SharedPacer({ db, name: 'window-dead', requestsPerSecond: 2, marginPercent: 0, inFlightBoundMs: 1_500 });
    const alive = new SharedPacer({ db, name: 'window-dead', requestsPerSecond: 2, marginPercent: 0, inFlightBoundMs: 1_500 });
    const takenAt = Date.now();
    await dead.take(); // never done()
    await (await alive.take()).done();
    await (await alive.take()).done(); // a second after the first: the dead one may arrive in between, two fit
    await (await alive.take()).done(); // the dead one and the second may lie in one second: its bound (1.5 s) plus a second

    expect(Date.now() - takenAt).toBeGreaterThanOrEqual(2_500);
  }, 30_000);
});
