import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENQUEUE_SETTINGS, ENQUEUE_SQL, enqueueParameters } from '@/lib/announce/enqueue';
import { createPrismaClient } from '@/lib/db';
import { applyMigrations } from '@/lib/db/migrate';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { createDatabase, type TemporaryDatabase } from '../../testing/postgres';

/**
 * The enqueue statement's plan, not its time: with stale statistics and the preference filter the
 * planner guesses that a handful of subscribers pass, and a nested loop over two CTE scans then
 * costs n² (417 s for 100,000 subscribers instead of 1.5 s). EXPLAIN of the statement exactly as queueEmails() runs it
 * (same settings, same parameters) at a seeded size must join with hashes only.
 */

const SUBSCRIBERS = 5_000;

let database: TemporaryDatabase;
let db: PrismaClient;

beforeAll(async () => {
  database = await createDatabase({ prefix: 'pubtest_enqueue_plan' });
  await applyMigrations(database.url);
  db = createPrismaClient(database.url);
  await db.$executeRawUnsafe(
    `INSERT INTO subscribers (id, email, status, created_at, updated_at, confirmed_at)
     SELECT gen_random_uuid(), 'plan-' || g || '@example.com', 'CONFIRMED', now(), now(), now() FROM generate_series(1, $1::int) AS g`,
    SUBSCRIBERS,
  );
  // No ANALYZE: as right after an import, the statistics do not know these rows yet, and the
  // planner's tiny estimates are what once chose a nested loop of recipients × gate (n²).
}, 60_000);

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'CTE Name'?: string; Plans?: PlanNode[] };

function nodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodes)];
}

const describeNode = (node: PlanNode) => [node['Node Type'], node['Relation Name'] ?? node['CTE Name']].filter(Boolean).join(' on ');

type Explained = { Plan: PlanNode; JIT?: { Functions: number } };

async function enqueuePlan(): Promise<PlanNode> {
  return (await explainEnqueue()).Plan;
}

async function explainEnqueue(): Promise<Explained> {
  const parameters = enqueueParameters({
    announcementIds: [randomUUID()],
    kind: 'ANNOUNCEMENT',
    payload: { title: 'Plan', description: 'Plan', takeaways: [], articleUrl: 'https://example.com/plan' },
    now: new Date(),
  });
  return db.$transaction(async (tx) => {
    for (const setting of ENQUEUE_SETTINGS) await tx.$executeRawUnsafe(setting);
    // EXPLAIN without ANALYZE: planned, not run (nothing is inserted).
    const rows = await tx.$queryRawUnsafe<{ 'QUERY PLAN': Explained[] }[]>(`EXPLAIN (FORMAT JSON) ${ENQUEUE_SQL}`, ...parameters);
    return rows[0]!['QUERY PLAN'][0]!;
  });
}

describe('the announcement enqueue statement', () => {
  it(`joins ${SUBSCRIBERS.toLocaleString('en')} subscribers without a nested loop`, async () => {
    const plan = nodes(await enqueuePlan());
    const shape = plan.map(describeNode).join('\n');
    // It reads the subscribers once and joins the gate's output to them by hashing. The one loop
    // allowed is the cross join with the announcement ids (unnest: one row per article, ≤ 50).
    expect(plan.filter((node) => node['Relation Name'] === 'subscribers'), shape).toHaveLength(1);
    const loops = plan.filter((node) => node['Node Type'] === 'Nested Loop');
    const overRows = loops.filter((loop) => !(loop.Plans ?? []).some((input) => input['Node Type'] === 'Function Scan'));
    expect(overRows.map(describeNode), shape).toEqual([]);
    expect(plan.filter((node) => node['Node Type'] === 'Hash Join').length, shape).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('is not compiled by JIT, which the disabled nested loop\'s cost would switch on at full optimisation', async () => {
    // EXPLAIN reports a JIT section whenever the server would compile the plan (jit = on here).
    const explained = await explainEnqueue();
    expect(explained.JIT).toBeUndefined();
  }, 30_000);
});
