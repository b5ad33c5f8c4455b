/**
 * The cache tier's proof (deploy/k8s/cache-tier/cache.conf, as the fleet's nginx runs it): pages
 * are stored per encoding and per Vary, answered from the store the second time, with each
 * answer's own request id; API routes, newsletter (token) pages, search and any URL with a token
 * never are; an API request's id reaches the instance's log; and a rollout of a new build
 * replaces the stored article without any purge (revalidation by ETag after the 10 s freshness).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { pageFreshSeconds } from '@/testing/cache-tier';
import { until } from '@/testing/wait';
import type { Balancer, Fetched, Rotation } from './balancer';
import type { Instance } from './instance';

const ARTICLE = '/articles/understanding-distributed-systems';
/** cache.conf's proxy_cache_valid for pages: how long a rollout may take to show after the last old pod left. */
const PAGE_FRESH_SECONDS = pageFreshSeconds();

/** Paths that must never be answered from the store, however often they are asked for. */
const NEVER_STORED = [
  '/api/health/live',
  '/newsletter/confirm?token=fleet-proof-token',
  '/newsletter/manage?token=fleet-proof-token',
  '/search?q=consensus',
  // A token anywhere: the tier hands any URL with one to the app.
  '/?token=fleet-proof-token',
];

const describe = (f: Fetched) => `${f.id} -> ${f.answer.status} cache=${f.cache} via ${f.upstream} (${f.answer.bytes.length} bytes, ${f.answer.headers['content-encoding'] ?? 'identity'})`;

/** The article's text as a reader gets it, decoded when the tier sent gzip. */
const text = (f: Fetched) => (f.answer.headers['content-encoding'] === 'gzip' ? gunzipSync(f.answer.bytes).toString('utf8') : f.answer.body);

/** Twice the same request: the second must come from the store, with its own request id and the app's Vary. */
async function expectSecondIsHit(balancer: Balancer, pathname: string, headers: Record<string, string>): Promise<Fetched> {
  const first = await balancer.send(pathname, headers);
  expect(first.answer.status, describe(first)).toBe(200);
  const second = await balancer.send(pathname, headers);
  expect(second.cache, `second ${pathname} ${JSON.stringify(headers)}: ${describe(second)}`).toBe('HIT');
  expect(second.answer.headers['x-request-id'], 'a stored answer carries the id of the request that filled it').toBe(second.id);
  expect(String(second.answer.headers.vary ?? ''), 'the stored answer lost the app\'s Vary').toMatch(/rsc.*Accept-Encoding/i);
  return second;
}

export async function proveStoredAndNeverStored(balancer: Balancer, instances: Instance[]): Promise<string> {
  const identity = await expectSecondIsHit(balancer, ARTICLE, {});
  const gzip = await expectSecondIsHit(balancer, ARTICLE, { 'accept-encoding': 'gzip, deflate, br' });
  expect(identity.answer.headers['content-encoding'], 'the identity entry is compressed').toBeUndefined();
  expect(gzip.answer.headers['content-encoding'], 'the gzip entry is not gzip').toBe('gzip');
  expect(text(gzip), 'the gzip and identity entries are different pages').toBe(identity.answer.body);
  // A client-side navigation asks the same URL for its RSC payload (Next 16 adds ?_rsc): stored
  // as another entry (Vary: rsc), and never handed to a request for the HTML.
  const rscUrl = `${ARTICLE}?_rsc`;
  const rsc = await expectSecondIsHit(balancer, rscUrl, { rsc: '1' });
  expect(String(rsc.answer.headers['content-type']), 'the RSC request got HTML').toMatch(/text\/x-component/);
  const html = await balancer.send(rscUrl);
  expect(String(html.answer.headers['content-type']), `the HTML request got the stored RSC payload: ${describe(html)}`).toMatch(/text\/html/);

  const never: string[] = [];
  for (const pathname of NEVER_STORED) {
    for (let i = 0; i < 3; i += 1) {
      const f = await balancer.send(pathname, { 'accept-encoding': 'gzip' });
      expect(f.answer.status, `${pathname}: ${describe(f)}`).toBeLessThan(500);
      expect(f.cache, `${pathname}, request ${i + 1}: ${describe(f)}`).toBe('BYPASS');
      expect(f.upstream, `${pathname}, request ${i + 1}: no instance answered`).not.toBe('-');
    }
    never.push(pathname.split('?')[0]!);
  }

  // An API request's id, through the tier, in the instance's log line for it (a cross-site
  // signup is refused and logged, and writes nothing).
  const refused = await balancer.send(
    '/api/newsletter/subscribe',
    { 'content-type': 'application/json', accept: 'application/json', 'sec-fetch-site': 'cross-site' },
    'POST',
    JSON.stringify({ email: 'nobody@example.com' }),
  );
  expect(refused.answer.status, describe(refused)).toBe(403);
  const line = await until(`an instance log line with request id ${refused.id}`, 10_000, () =>
    instances.flatMap((instance) => instance.lines).find((l) => l.includes(refused.id)),
  );
  expect(line).toMatch(/cross-site-refused/);

  return (
    `article x2: ${identity.cache} (identity, ${identity.answer.bytes.length} B), ${gzip.cache} (gzip, ${gzip.answer.bytes.length} B), ${rsc.cache} (rsc payload); ` +
    `${never.join(', ')} x3 each: BYPASS, answered by an instance; API request id ${refused.id} in ${line.split(' ')[0]}'s log`
  );
}

/**
 * A new build of the article in an instance's copy: what `next build` of changed content ships.
 * Next keeps the prerendered HTML in .next/server/app and may copy it into its response cache
 * (.next/server/route-cache), and the build serves it from .next/static/prerendered: every copy changes.
 */
async function newBuildOf(instance: Instance, mark: string): Promise<void> {
  const name = `${path.basename(ARTICLE)}.html`;
  const server = path.join(instance.dir, '.next', 'server');
  const files = (await readdir(server, { recursive: true })).filter((file) => path.basename(file) === name);
  expect(files, `no ${name} under ${server}`).not.toEqual([]);
  for (const file of files) {
    const html = await readFile(path.join(server, file), 'utf8');
    expect(html, `${file} has no </body>`).toContain('</body>');
    await writeFile(path.join(server, file), html.replace('</body>', `<!-- ${mark} --></body>`));
  }
  // The copies served as files (scripts/prerendered-documents.mjs), identity and gzip, change too.
  const documents = path.join(instance.dir, '.next', 'static', 'prerendered', 'articles');
  const served = await readFile(path.join(documents, name), 'utf8');
  const marked = Buffer.from(served.replace('</body>', `<!-- ${mark} --></body>`));
  await writeFile(path.join(documents, name), marked);
  await writeFile(path.join(documents, `${name}.gz`), gzipSync(marked));
  await writeFile(path.join(instance.dir, '.next', 'BUILD_ID'), mark);
}

/** Rolls the new build out one instance at a time (as proof 4 restarts them), then waits for the tier to serve it. */
export async function proveRollout(balancer: Balancer, instances: Instance[], rotation: Rotation, mark: string, readyTimeoutMs: number): Promise<string> {
  const before = await balancer.send(ARTICLE, { 'accept-encoding': 'gzip' });
  expect(text(before), 'the article already carries the new build').not.toContain(mark);

  for (const instance of instances) {
    await newBuildOf(instance, mark);
    const signalledAt = Date.now();
    instance.kill('SIGTERM');
    await instance.waitExit(45_000);
    instance.start();
    await instance.waitReady(readyTimeoutMs);
    await until(`instance ${instance.name} to be back in nginx's upstream`, 15_000, () => rotation.when(instance.name, 'in', signalledAt));
  }
  const rolledAt = Date.now();

  // Both stored encodings turn to the new build within the freshness, without a purge.
  const deadline = (PAGE_FRESH_SECONDS + 10) * 1000;
  const seen: string[] = [];
  const variants: Record<string, string>[] = [{}, { 'accept-encoding': 'gzip' }];
  for (const headers of variants) {
    await until(`the tier to serve the new build's article (${JSON.stringify(headers)})`, deadline, async () => {
      const f = await balancer.send(ARTICLE, headers);
      expect(f.answer.status, describe(f)).toBe(200);
      return text(f).includes(mark) ? true : undefined;
    }, 250);
    seen.push(`${Object.keys(headers).length ? 'gzip' : 'identity'} after ${((Date.now() - rolledAt) / 1000).toFixed(1)} s`);
    const again = await balancer.send(ARTICLE, headers);
    expect(again.cache, `after the rollout: ${describe(again)}`).toBe('HIT');
    expect(text(again), 'the stored entry went back to the old build').toContain(mark);
  }
  return `3 instances restarted on a new build of the article; the tier served it (${seen.join(', ')}; freshness ${PAGE_FRESH_SECONDS} s), then as a HIT`;
}
