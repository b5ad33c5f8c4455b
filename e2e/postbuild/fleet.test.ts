// Over 300 lines on purpose: one story in order (spread, limits, SIGKILL, rolling restart, cache tier), each proof reading the state the last one left.
/**
 * npm run test:fleet (after `next build`; npm run test:e2e runs it with the other post-build tests)
 *
 * The fleet, proven on one machine: THREE instances of the production build (`node server.js`
 * from .next/standalone, each in its own copy, as each pod has its own filesystem) on loopback
 * ports, behind nginx (Debian's package) running the shipped cache tier configuration
 * (deploy/k8s/cache-tier/cache.conf; round robin over the instances as its upstream), sharing one fresh Postgres database, sending email to the fake Resend API
 * (in this process). As a Service does with its endpoints, an instance is in nginx's upstream
 * only while its readiness answers 200 (fleet/balancer.ts, Rotation). Then, in order:
 *   1. signups spread across the instances: N signups (about 30 % repeated addresses, some in
 *      another letter case) from distinct client IPs through nginx are answered 200 by all three;
 *      the subscriber rows are exactly the unique addresses, and each got exactly one
 *      confirmation email;
 *   2. the rate limits are the fleet's, not an instance's: one address four times (answered by
 *      different instances) is refused the fourth time with 429 + Retry-After; one IP beyond its
 *      limit likewise, and the refused signups wrote nothing;
 *   3. SIGKILL in the middle of a load run, while the victim holds outbox claims (the fake answers
 *      slowly so sends are in flight): every signup answered 200 has its row, the only failures
 *      are the victim's own in-flight requests (502 from nginx, or an answer cut off, traced to the
 *      victim through nginx's access log), and once the short claim lease (OUTBOX_LEASE_SECONDS)
 *      expires, and not before, the other instances send the dead one's rows: nothing stuck in
 *      SENDING, one delivered confirmation per subscriber, re-sent requests replayed by their
 *      Idempotency-Key instead of delivered twice;
 *   4. a rolling restart during a load run (pages, feed, signups): one instance at a time SIGTERM,
 *      exit 143, start again, ready; the balancer answers every request (no 5xx, no connection
 *      error): readiness turns 503 at once and takes the instance out of nginx during the drain,
 *      nginx retries a refused connection, and the shutdown answers what is in flight;
 *   5. the cache tier: a second request for an article (identity, gzip, its RSC payload) is a HIT
 *      with its own request id; API routes, newsletter (token) pages, search and any URL with a
 *      token are never stored (BYPASS, every time answered by an instance); an API request's id
 *      reaches the instance's log line;
 *   6. a rollout: every instance restarted, one at a time, on a new build of the article; the tier
 *      serves the new article (both encodings) within its page freshness, with no purge;
 *   7. the Kubernetes manifests: test/fleet/k8s-manifests.test.ts (Vitest, npm run test:unit).
 * Also: no instance log line carries one of the test's email addresses.
 * Prints a summary table. Everything it starts (instances, nginx, the fake, the database, temp
 * folders) is removed at the end, on failure too; every wait has a deadline. Load goes to
 * 127.0.0.1 only.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, type TestContext } from 'vitest';
import { startFakeResend, type FakeResend } from '@/testing/fake-resend/server';
import type { Nginx } from '@/testing/nginx';
import { freePort } from '@/testing/ports';
import { createDatabase, type TemporaryDatabase } from '@/testing/postgres';
import { sleep, until, within } from '@/testing/wait';
import { Balancer, describeSample, Rotation, startBalancer, type Sample } from './fleet/balancer';
import { proveRollout, proveStoredAndNeverStored } from './fleet/cache-proof';
import { countBy, formatCounts, runPool, seconds, shuffle, summaryTable, type SummaryRow } from './fleet/figures';
import { Instance } from './fleet/instance';
import { claimsHeldBy, expectOneConfirmationEach, replayedKeys, subscriberEmails, waitOutboxSettled, type Claim, type Db } from './fleet/mail';
import { scenario } from './support/scenario';
import { containerEnv, copyStandalone, runMigrate, STANDALONE } from './support/standalone';

const INSTANCE_NAMES = ['a', 'b', 'c'] as const;
/** Phase 1: signups through the balancer, and the share of them that repeat an earlier address. */
const SIGNUPS = 300;
const REPEAT_SHARE = 0.3;
/** Requests in flight at once from the load generator. */
const CONCURRENCY = 12;
/** Phase 3: signups in the run during which one instance is killed. */
const KILL_RUN_SIGNUPS = 180;
/** Phase 3: the fake Resend answers this late, so sends (and their claims) are in flight. */
const SLOW_SEND_MS = 1_000;
/** The instances' claim lease: far above a batch's sends at SLOW_SEND_MS, short enough to wait for. */
const LEASE_SECONDS = 8;
/** lib/outbox/worker.ts WORKER_INTERVAL_MS: how often an idle instance looks for due rows. */
const WORKER_INTERVAL_MS = 5_000;
/** How long the dead or restarted instances' rows may take to be sent by the others. */
const DRAIN_TIMEOUT_MS = LEASE_SECONDS * 1000 + 2 * WORKER_INTERVAL_MS + 30_000;
/** Readiness answers 503 this long before the listener closes: time for the balancer to take the instance out. */
const DRAIN_SECONDS = 3;
/** Phase 4: load lanes during the rolling restart (fewer than CONCURRENCY: three restarts share 2 cores). */
const ROLLING_LANES = 6;
const REQUEST_TIMEOUT_MS = 30_000;
const READY_TIMEOUT_MS = 90_000;
/** Each proof's own deadline (the slowest, the SIGKILL run, takes about a minute). */
const PROOF_TIMEOUT_MS = 5 * 60_000;

const RUN_ID = `${Math.floor(Date.now() / 1000).toString(36)}${randomBytes(3).toString('hex')}`;
/** Every address this run uses starts with this, so the log check can look for it. */
const ADDRESS_MARK = `fleet-${RUN_ID}`;

type World = {
  copies: { remove(): Promise<void> }[];
  instances: Instance[];
  nginx?: Nginx;
  rotation?: Rotation;
  balancer?: Balancer;
  fake?: FakeResend;
  db?: Db;
  database?: TemporaryDatabase;
};
const world: World = { copies: [], instances: [] };
const started = Date.now();

const results: SummaryRow[] = [
  { proof: '1. signups spread across instances', result: 'not run', evidence: '' },
  { proof: '2. rate limits hold across instances', result: 'not run', evidence: '' },
  { proof: '3. SIGKILL mid-load, claims drained', result: 'not run', evidence: '' },
  { proof: '4. rolling restart under load', result: 'not run', evidence: '' },
  { proof: '5. cache tier: stored, never stored', result: 'not run', evidence: '' },
  { proof: '6. cache tier: a rollout replaces pages', result: 'not run', evidence: '' },
  { proof: '7. Kubernetes manifests', result: 'ok', evidence: 'test/fleet/k8s-manifests.test.ts (Vitest, npm run test:unit)' },
];
let logSummary = '';

beforeAll(async () => {
  world.database = await createDatabase({ prefix: 'fleet' });
  const url = world.database.url;
  const migrated = await runMigrate(STANDALONE, containerEnv({ DATABASE_URL: url }), STANDALONE);
  expect(migrated.code, `migrate.mjs exit code:\n${migrated.output.split('\n').slice(-20).join('\n')}`).toBe(0);

  world.fake = await startFakeResend({ apiKey: 're_fleet_proof_key' });
  world.db = new pg.Pool({ connectionString: url, max: 3, connectionTimeoutMillis: 10_000 });

  // get-port never hands out the same port twice in a while: four distinct ports.
  const ports = await Promise.all(INSTANCE_NAMES.map(() => freePort()));
  // The balancer's origin is the instances' SITE_URL (links in emails): its port is picked now.
  const balancerPort = await freePort();
  const copies = await Promise.all(INSTANCE_NAMES.map((name) => copyStandalone(`fleet-${name}`)));
  world.copies = copies;
  const env = containerEnv({
    HOSTNAME: '127.0.0.1',
    DATABASE_URL: url,
    SITE_URL: `http://127.0.0.1:${balancerPort}`,
    NEWSLETTER_SECRET: randomBytes(32).toString('base64url'),
    RESEND_API_KEY: 're_fleet_proof_key',
    RESEND_BASE_URL: world.fake.url,
    EMAIL_FROM: 'The Publication <newsletter@example.com>',
    CRON_SECRET: randomBytes(24).toString('base64url'),
    SHUTDOWN_DRAIN_SECONDS: String(DRAIN_SECONDS),
    OUTBOX_LEASE_SECONDS: String(LEASE_SECONDS),
    // This fake has no request limit: the shared pacing (every request takes a slot) need not hold
    // the run to Resend's 2 per second; test/outbox proves the pacing against a limited fake.
    OUTBOX_PROVIDER_REQUESTS_PER_SECOND: '1000',
    // Behind the Ingress (played by the test, which names the client in X-Forwarded-For) and the
    // cache tier (nginx, which appends the Ingress's address): two hops, as deploy/k8s says.
    TRUSTED_PROXY_HOPS: '2',
  });
  world.instances = INSTANCE_NAMES.map((name, i) => new Instance(name, ports[i]!, copies[i]!.dir, { ...env, PORT: String(ports[i]) }, ADDRESS_MARK));
  for (const instance of world.instances) instance.start();
  await Promise.all(world.instances.map((instance) => instance.waitReady(READY_TIMEOUT_MS)));

  world.nginx = await startBalancer(balancerPort, world.instances);
  world.rotation = new Rotation(world.nginx, world.instances);
  world.rotation.start();
  world.balancer = new Balancer(world.nginx, world.instances, RUN_ID, REQUEST_TIMEOUT_MS);
  console.log(`fleet: 3 instances ready (${world.instances.map((i) => `${i.name}=${i.address}`).join(' ')}), nginx on ${world.nginx.url} (${seconds(Date.now() - started)})`);
}, 5 * 60_000);

afterAll(async () => {
  await within(cleanUp(), 60_000);
  console.log(summaryTable(`fleet-proof summary (3 instances behind the nginx cache tier, one Postgres; ${seconds(Date.now() - started)})`, results, logSummary));
}, 90_000);

async function cleanUp(): Promise<void> {
  for (const instance of world.instances) {
    instance.closing = true;
    instance.kill('SIGKILL');
  }
  await Promise.all(world.instances.map((instance) => (instance.exited ? within(instance.exited, 10_000) : undefined)));
  await world.rotation?.stop();
  await world.nginx?.stop().catch((err: Error) => console.error(`fleet: stopping nginx: ${err.message}`));
  if (world.fake) await within(world.fake.close(), 5_000);
  await within(world.db?.end() ?? Promise.resolve(), 5_000).catch(() => {});
  await world.database?.drop().catch((err: Error) => console.error(`fleet: could not drop ${world.database?.name}: ${err.message}`));
  await Promise.all(world.copies.map((copy) => copy.remove().catch(() => {})));
}

const step = scenario(async () => {
  const parts = world.instances.map((instance) => `--- instance ${instance.name} (last lines) ---\n${instance.tail(15).join('\n')}`);
  const errorLog = (await world.nginx?.readLog('error.log')) ?? '';
  return [...parts, `--- nginx error.log (last lines) ---\n${errorLog.split('\n').slice(-15).join('\n')}`].join('\n');
});

/** One proof: a step whose evidence (or failure) fills its row of the summary table. */
function proof(row: SummaryRow, name: string, prove: (balancer: Balancer, db: Db, fake: FakeResend) => Promise<string>): void {
  step(
    name,
    async (context: TestContext) => {
      context.onTestFailed(({ task }) => {
        row.result = 'FAILED';
        row.evidence = task.result?.errors?.[0]?.message?.split('\n')[0] ?? 'failed';
      });
      row.evidence = await prove(world.balancer!, world.db!, world.fake!);
      const broken = world.rotation?.failure;
      expect(broken?.message, "keeping nginx's upstream in step with readiness failed").toBeUndefined();
      row.result = 'ok';
    },
    PROOF_TIMEOUT_MS,
  );
}

describe('the fleet: 3 instances behind nginx, one Postgres, the fake Resend API', () => {
  proof(results[0]!, '1. signups spread across the instances: one row and one confirmation per address', proveSpread);
  proof(results[1]!, '2. the rate limits hold across instances, and refused signups write nothing', proveRateLimits);
  proof(results[2]!, "3. an instance SIGKILLed mid-load loses no accepted signup; its claims are sent by the others after the lease", proveKill);
  proof(results[3]!, '4. a rolling restart under load fails no request at the balancer', proveRollingRestart);
  proof(results[4]!, '5. the cache tier stores pages per encoding and Vary, never API routes, token pages or search; request ids reach API logs', (balancer) =>
    proveStoredAndNeverStored(balancer, world.instances),
  );
  proof(results[5]!, "6. a rollout of a new build replaces the tier's stored article, without a purge", (balancer) =>
    proveRollout(balancer, world.instances, world.rotation!, `fleet-build-${RUN_ID}`, READY_TIMEOUT_MS),
  );
  step('no instance log line holds one of the test email addresses', () => {
    const leaks = world.instances.flatMap((instance) => instance.leaks);
    expect(leaks, 'instance log lines contain a test email address').toEqual([]);
    const lines = world.instances.reduce((sum, instance) => sum + instance.lineCount, 0);
    const levels: Record<string, number> = {};
    for (const instance of world.instances) for (const [level, count] of Object.entries(instance.jsonLevels)) levels[level] = (levels[level] ?? 0) + count;
    const json = Object.values(levels).reduce((sum, count) => sum + count, 0);
    const rotation = world.rotation!;
    logSummary =
      `logs: ${lines} instance log lines (${json} JSON: ${formatCounts(levels)}), no test email address in any\n` +
      `balancer: ${rotation.events.length} upstream changes, ${rotation.flaps()} of them for slow or failing readiness rather than a kill or restart`;
  });
});

async function proveSpread(balancer: Balancer, db: Db, fake: FakeResend): Promise<string> {
  const unique = Math.round(SIGNUPS * (1 - REPEAT_SHARE));
  const addresses = Array.from({ length: unique }, (_, i) => `${ADDRESS_MARK}-p1-${i}@example.com`);
  // The repeats: an earlier address again (every other one in capitals, which is the same address).
  const repeats = Array.from({ length: SIGNUPS - unique }, (_, i) => (i % 2 === 0 ? addresses[i]! : addresses[i]!.toUpperCase()));
  const items = shuffle([...addresses, ...repeats]);
  const begun = Date.now();
  const samples = await runPool(items, CONCURRENCY, (email) => balancer.signup(email));
  const elapsed = Date.now() - begun;

  const failed = samples.filter((s) => s.status !== 200);
  expect(failed.slice(0, 15).map(describeSample), `${failed.length} of ${samples.length} signups were not answered 200`).toEqual([]);
  const served = countBy(samples, (s) => s.upstream);
  expect(INSTANCE_NAMES.filter((name) => !served[name]), `instances that served none of the signups (${formatCounts(served)})`).toEqual([]);

  const rows = await subscriberEmails(db, `${ADDRESS_MARK}-p1-%`);
  expect(addresses.filter((address) => !rows.has(address)).slice(0, 10), 'unique addresses without a subscriber row').toEqual([]);
  expect(rows.size, `subscriber rows for ${unique} unique addresses`).toBe(unique);

  await waitOutboxSettled(db, 60_000);
  const mail = await expectOneConfirmationEach(db, fake, 'signups');
  expect(mail.deliveries, `confirmations for ${unique} addresses`).toBe(unique);
  return `${SIGNUPS} signups (${SIGNUPS - unique} repeats) in ${seconds(elapsed)}, all 200; served ${formatCounts(served)}; ${rows.size} rows = unique addresses; ${mail.deliveries} confirmations, 1 each`;
}

async function proveRateLimits(balancer: Balancer, db: Db): Promise<string> {
  // One address, four times, each from another client: the fourth is refused.
  const address = `${ADDRESS_MARK}-p2-address@example.com`;
  const perAddress: Sample[] = [];
  for (let i = 0; i < 4; i += 1) perAddress.push(await balancer.signup(address));
  const statuses = perAddress.map((s) => s.status);
  expect(statuses, `one address 4 times: statuses ${statuses.join(',')}\n${perAddress.map(describeSample).join('\n')}`).toEqual([200, 200, 200, 429]);
  const last = perAddress[3]!;
  expect(last.retryAfter ?? '', 'the per-address 429 has no Retry-After in whole seconds').toMatch(/^[1-9]\d*$/);
  const addressInstances = new Set(perAddress.map((s) => s.upstream));
  expect(addressInstances.size, `the per-address requests all landed on one instance: proves nothing\n${perAddress.map(describeSample).join('\n')}`).toBeGreaterThanOrEqual(2);

  // One client IP, beyond its limit (10 per 10 minutes), with a new address each time.
  const ip = balancer.nextClientIp();
  const perIp: Sample[] = [];
  for (let i = 0; i < 12; i += 1) perIp.push(await balancer.signup(`${ADDRESS_MARK}-p2-ip-${i}@example.com`, ip));
  const ipStatuses = perIp.map((s) => s.status);
  expect(ipStatuses, `one IP 12 times: statuses ${ipStatuses.join(',')}\n${perIp.map(describeSample).join('\n')}`).toEqual([...Array(10).fill(200), 429, 429]);
  for (const s of perIp.slice(10)) expect(s.retryAfter ?? '', 'a per-IP 429 has no Retry-After in whole seconds').toMatch(/^[1-9]\d*$/);
  const ipInstances = new Set(perIp.map((s) => s.upstream));
  expect(ipInstances.size, `the per-IP requests all landed on one instance: proves nothing\n${perIp.map(describeSample).join('\n')}`).toBeGreaterThanOrEqual(2);
  const refusedInstances = new Set(perIp.slice(10).map((s) => s.upstream));

  // The refused signups wrote nothing; the allowed ones did.
  const rows = await subscriberEmails(db, `${ADDRESS_MARK}-p2-%`);
  expect(rows.has(address), 'the rate-limited address has no row').toBe(true);
  const wrong = Array.from({ length: 12 }, (_, i) => i).filter((i) => rows.has(`${ADDRESS_MARK}-p2-ip-${i}@example.com`) !== i < 10);
  expect(wrong.map((i) => (i < 10 ? `allowed signup ${i} has no row` : `refused signup ${i} wrote a row`)), 'rows of the per-IP signups').toEqual([]);
  return (
    `address x4 -> ${statuses.join(',')} via ${perAddress.map((s) => s.upstream).join(',')} (Retry-After ${last.retryAfter}); ` +
    `one IP x12 -> 10x200 via ${[...ipInstances].sort().join(',')}, then 429 via ${[...refusedInstances].sort().join(',')}; refused signups wrote no row`
  );
}

async function proveKill(balancer: Balancer, db: Db, fake: FakeResend): Promise<string> {
  const victim = world.instances[1]!;
  const victimPid = victim.pid!;
  const addresses = Array.from({ length: KILL_RUN_SIGNUPS }, (_, i) => `${ADDRESS_MARK}-p3-${i}@example.com`);
  fake.setDelay(SLOW_SEND_MS);

  let answered = 0;
  let killedAt = 0;
  let heldAtKill: Claim[] = [];
  const load = runPool(addresses, CONCURRENCY, async (email) => {
    const sample = await balancer.signup(email);
    answered += 1;
    return sample;
  });
  const killer = (async () => {
    await until('a quarter of the load run to be answered', 60_000, () => answered >= KILL_RUN_SIGNUPS / 4, 20);
    await until(`instance ${victim.name} to hold an outbox claim`, 30_000, async () => (await claimsHeldBy(db, victimPid)).length > 0, 25);
    victim.kill('SIGKILL');
    killedAt = Date.now();
    const exit = await victim.waitExit(10_000);
    expect(exit.signal, `instance ${victim.name} exited with ${exit.code ?? exit.signal}, expected SIGKILL`).toBe('SIGKILL');
    heldAtKill = await claimsHeldBy(db, victimPid);
  })();
  const [samples] = await Promise.all([load, killer]);
  fake.setDelay(0);
  const answeredAtKill = samples.filter((s) => s.endedAt <= killedAt).length;

  expect(heldAtKill.length, `instance ${victim.name} held no outbox claim when it was killed: nothing to prove`).toBeGreaterThan(0);
  const ok = samples.filter((s) => s.status === 200);
  const lost = samples.filter((s) => s.status !== 200);
  // Only what was in flight at the victim may fail: nginx does not replay a POST it already sent,
  // so the client gets a 502, or a cut connection when the victim died in the middle of its answer
  // (nginx's access log then says where the request went).
  const routed = await balancer.upstreamsFromAccessLog();
  const unexpected = lost.filter((s) => {
    if (s.status === 502) return s.upstream !== victim.name;
    if (s.status === 0) return routed.get(s.id) !== victim.name || s.startedAt > killedAt;
    return true;
  });
  expect(
    unexpected.slice(0, 15).map((s) => `${describeSample(s)} (nginx sent it to ${routed.get(s.id) ?? 'nowhere logged'})`),
    `${unexpected.length} failures not explained by the killed instance`,
  ).toEqual([]);
  const cut = lost.filter((s) => s.status === 0).length;
  const retried = samples.filter((s) => s.tried.length > 1).length;

  const rows = await subscriberEmails(db, `${ADDRESS_MARK}-p3-%`);
  const okMissing = ok.filter((s) => !rows.has(s.email!));
  expect(okMissing.slice(0, 10).map(describeSample), `${okMissing.length} signups answered 200 have no row`).toEqual([]);
  const committedDespite502 = lost.filter((s) => rows.has(s.email!)).length;

  // The dead instance's claims come back after the lease and are sent by the others.
  const heldIds = heldAtKill.map((claim) => claim.id);
  const drainedAfterMs = await until(
    `the killed instance's ${heldAtKill.length} claims to be sent by the others`,
    DRAIN_TIMEOUT_MS,
    async () => {
      const { rows: left } = await db.query(`SELECT 1 FROM outbox_emails WHERE id = ANY($1::uuid[]) AND status <> 'SENT'`, [heldIds]);
      return left.length === 0 ? Date.now() - killedAt : undefined;
    },
    250,
  );
  // Taken over only once their lease had run out, never while the (dead) owner still held them.
  const { rows: resent } = await db.query<{ id: string; sentAt: Date; claimedBy: string | null }>(
    `SELECT id::text AS id, sent_at AS "sentAt", claimed_by AS "claimedBy" FROM outbox_emails WHERE id = ANY($1::uuid[])`,
    [heldIds],
  );
  const early: string[] = [];
  for (const claim of heldAtKill) {
    const row = resent.find((r) => r.id === claim.id);
    expect(row?.claimedBy, `row ${claim.id} still names a claim after being sent`).toBeNull();
    if (row!.sentAt.getTime() < claim.claimedUntil.getTime()) {
      early.push(`row ${claim.id} was sent at ${row!.sentAt.toISOString()}, before the dead instance's lease ended (${claim.claimedUntil.toISOString()})`);
    }
  }
  expect(early, 'rows taken over before their lease ended').toEqual([]);
  await waitOutboxSettled(db, DRAIN_TIMEOUT_MS);
  const mail = await expectOneConfirmationEach(db, fake, 'after SIGKILL');
  const replayed = replayedKeys(fake, heldIds);

  // The killed instance comes back for the next proof.
  const restartedAt = Date.now();
  victim.start();
  await victim.waitReady(READY_TIMEOUT_MS);
  await until(`instance ${victim.name} to be back in nginx's upstream`, 15_000, () => world.rotation!.when(victim.name, 'in', restartedAt));
  const outAfter = (world.rotation!.when(victim.name, 'out', killedAt) ?? NaN) - killedAt;

  return (
    `${KILL_RUN_SIGNUPS} signups, ${victim.name} SIGKILLed after ${answeredAtKill} answers holding ${heldAtKill.length} claims (out of nginx's upstream ${outAfter} ms later); ` +
    `${ok.length} x 200 (all have rows; ${retried} retried by nginx after a refused connection), ${lost.length - cut} x 502 + ${cut} cut answers from ${victim.name} in flight (${committedDespite502} committed anyway); ` +
    `its claims sent by the others ${seconds(drainedAfterMs)} after the kill (lease ${LEASE_SECONDS} s), ${replayed} re-sends replayed by Idempotency-Key; ` +
    `${mail.subscribers} subscribers, ${mail.deliveries} confirmations, none twice`
  );
}

async function proveRollingRestart(balancer: Balancer, db: Db, fake: FakeResend): Promise<string> {
  const samples: Sample[] = [];
  let stop = false;
  let sequence = 0;
  const paths = ['/', '/rss.xml'];
  const lanes = Array.from({ length: ROLLING_LANES }, async () => {
    while (!stop) {
      const n = sequence++;
      const sample =
        n % 2 === 0
          ? await balancer.signup(`${ADDRESS_MARK}-p4-${n}@example.com`)
          : await balancer.request(n % 4 === 1 ? 'page' : 'feed', paths[n % 4 === 1 ? 0 : 1]!);
      samples.push(sample);
    }
  });

  const restarts: string[] = [];
  try {
    for (const instance of world.instances) {
      await sleep(1_000);
      const from = samples.length;
      const signalledAt = Date.now();
      instance.kill('SIGTERM');
      const exit = await instance.waitExit(45_000);
      const exitedAfter = Date.now() - signalledAt;
      expect(exit.code ?? exit.signal, `instance ${instance.name}'s exit after SIGTERM\n${instance.tail().join('\n')}`).toBe(143);
      instance.start();
      await instance.waitReady(READY_TIMEOUT_MS);
      const readyAfter = Date.now() - signalledAt;
      await until(`instance ${instance.name} to be back in nginx's upstream`, 15_000, () => world.rotation!.when(instance.name, 'in', signalledAt));
      const outAfter = (world.rotation!.when(instance.name, 'out', signalledAt) ?? NaN) - signalledAt;
      restarts.push(`${instance.name}: out of nginx after ${outAfter} ms, exit 143 after ${seconds(exitedAfter)}, ready after ${seconds(readyAfter)}, ${samples.length - from} requests meanwhile`);
    }
    await sleep(1_500);
  } finally {
    stop = true;
    await within(Promise.all(lanes), REQUEST_TIMEOUT_MS + 5_000);
  }

  const failed = samples.filter((s) => !(s.status >= 200 && s.status < 400) && s.status !== 429);
  expect(failed.slice(0, 20).map(describeSample), `${failed.length} of ${samples.length} requests failed at the balancer during the rolling restart`).toEqual([]);
  const byClass = countBy(samples, (s) => `${String(s.status)[0]}xx`);
  const served = countBy(samples, (s) => s.upstream);
  const retried = samples.filter((s) => s.tried.length > 1).length;

  const signups = samples.filter((s) => s.kind === 'signup' && s.status === 200);
  const rows = await subscriberEmails(db, `${ADDRESS_MARK}-p4-%`);
  const missing = signups.filter((s) => !rows.has(s.email!));
  expect(missing.slice(0, 10).map(describeSample), `${missing.length} signups answered 200 have no row`).toEqual([]);
  await waitOutboxSettled(db, DRAIN_TIMEOUT_MS);
  const mail = await expectOneConfirmationEach(db, fake, 'after the rolling restart');

  return (
    `${samples.length} requests (${signups.length} signups) during 3 restarts, ${formatCounts(byClass)}, 0 failed; ` +
    `${retried} retried by nginx on a refused connection; served ${formatCounts(served)}; ${restarts.join('; ')}; ` +
    `${mail.subscribers} subscribers, ${mail.deliveries} confirmations, none twice`
  );
}
