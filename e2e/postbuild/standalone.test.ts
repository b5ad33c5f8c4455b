/**
 * What the container image ships starts and serves, without Docker: a copy of .next/standalone
 * outside the repository, against a fresh database on the test Postgres, in order:
 *   1. `node server.js` starts; live answers 200; ready answers 503 "migrations pending: <name>";
 *   2. `node migrate.mjs` (the migration Job's command) applies the migrations, a second run
 *      applies nothing, and readiness turns 200;
 *   3. the home page, an article page (found through /rss.xml), the feed, a /_next/static asset,
 *      an article image from public/media (named in the feed) and the not-found page (which reads content/ at runtime) are served; a
 *      prerendered page goes out without the proxy's x-request-id, an API route with it (a sane incoming one kept), and the
 *      route's log line carries it; every JSON log line parses;
 *   4. SIGTERM: readiness answers 503 "shutting down" at once while pages keep being served
 *      through the drain delay, a request in flight (its body still on the way) when the listener
 *      closes still gets its answer, and the process exits 143 on its own.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { waitForHttp } from '@/testing/http';
import { freePort, isListening } from '@/testing/ports';
import { createDatabase, type TemporaryDatabase } from '@/testing/postgres';
import type { Child, Exit } from '@/testing/processes';
import { sleep, until, within } from '@/testing/wait';
import { scenario } from './support/scenario';
import { containerEnv, copyStandalone, lastLines, runMigrate, startServer } from './support/standalone';

const DRAIN_SECONDS = 2;
const METRICS_TOKEN = randomBytes(24).toString('base64url');

/** A POST whose headers go now and whose body goes when `send()` is called. */
function slowRequest(port: number, pathname: string) {
  let sentAt = 0;
  const request = http.request({
    host: '127.0.0.1',
    port,
    path: pathname,
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'text/plain', 'content-length': '5' },
  });
  const response = new Promise<{ status: number | undefined; at: number; sentAt: number }>((resolve, reject) => {
    request.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, at: Date.now(), sentAt }));
    });
    request.on('error', reject);
  });
  request.flushHeaders();
  return {
    response,
    send() {
      sentAt = Date.now();
      request.end('hello');
    },
  };
}

let copy: Awaited<ReturnType<typeof copyStandalone>>;
let database: TemporaryDatabase;
let server: Child;
let port: number;
let origin: string;

beforeAll(async () => {
  copy = await copyStandalone('standalone-check');
  database = await createDatabase();
  port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  server = startServer(
    'server.js',
    copy.dir,
    containerEnv({
      DATABASE_URL: database.url,
      PORT: String(port),
      HOSTNAME: '127.0.0.1',
      SITE_URL: 'https://publication.example',
      SHUTDOWN_DRAIN_SECONDS: String(DRAIN_SECONDS),
      METRICS_TOKEN,
    }),
    { keepBytes: 4 * 1024 * 1024 },
  );
});

afterAll(async () => {
  await server?.stop(1_000);
  await database?.drop();
  await copy?.remove();
});

const step = scenario(() => `--- server log (last lines) ---\n${lastLines(server)}`);

describe('the standalone server, as the image runs it', () => {
  describe('1. starts', () => {
    step('answers live 200 { status: "ok" } with Cache-Control: no-store, from another working directory', async () => {
      const live = await waitForHttp(`${origin}/api/health/live`, { process: server, timeoutMs: 30_000 });
      expect(JSON.parse(live.body).status, 'live: body').toBe('ok');
      expect(live.headers['cache-control'], 'live: Cache-Control').toBe('no-store');
    });

    step('answers ready 503 "migrations pending: <name>" on the unmigrated database', async () => {
      const unmigrated = await fetch(`${origin}/api/health/ready`);
      const body = await unmigrated.json();
      expect(unmigrated.status, 'ready on an unmigrated database').toBe(503);
      expect(body, 'ready: body').toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/^migrations pending: \d{14}_/) });
    });
  });

  describe('2. the migration command', () => {
    step('migrate.mjs applies the migrations without logging the database URL', async () => {
      const migrate = await runMigrate(copy.dir, containerEnv({ DATABASE_URL: database.url }));
      expect(migrate.code, `migrate.mjs exit code; output:\n${migrate.output}`).toBe(0);
      expect(migrate.output, 'migrate.mjs applied nothing').toMatch(/"msg":"migrate: applied migrations"/);
      expect(migrate.output.includes(database.url), 'migrate.mjs logged the database URL').toBe(false);
    });

    step('a second run applies nothing; without DATABASE_URL it exits 1 saying so', async () => {
      const again = await runMigrate(copy.dir, containerEnv({ DATABASE_URL: database.url }), copy.dir);
      expect({ code: again.code, upToDate: /up to date/.test(again.output) }, `second migrate.mjs run:\n${again.output}`).toEqual({ code: 0, upToDate: true });
      const noUrl = await runMigrate(copy.dir, containerEnv(), copy.dir);
      expect({ code: noUrl.code, says: /DATABASE_URL is not set/.test(noUrl.output) }, `migrate.mjs without DATABASE_URL:\n${noUrl.output}`).toEqual({ code: 1, says: true });
    });

    step('readiness turns 200 { status: "ok" } with Cache-Control: no-store', async () => {
      const ready = await waitForHttp(`${origin}/api/health/ready`, { process: server, timeoutMs: 10_000, everyMs: 100 });
      expect(JSON.parse(ready.body).status, 'ready: body').toBe('ok');
      expect(ready.headers['cache-control'], 'ready: Cache-Control').toBe('no-store');
    });
  });

  let articlePath = '';
  let title = '';
  describe('3. serves the site', () => {
    step('the home page, served without the proxy (no x-request-id on a prerendered page)', async () => {
      const home = await fetch(`${origin}/`, { headers: { 'x-request-id': 'standalone-check-1' } });
      const html = await home.text();
      expect(home.status, 'home').toBe(200);
      expect(html, 'home: no <html').toContain('<html');
      expect(home.headers.get('x-request-id'), 'home: the proxy ran on a prerendered page').toBeNull();
    });

    step('API routes: a sane x-request-id is kept, a bad one replaced, and the route log line carries it', async () => {
      const kept = await fetch(`${origin}/api/health/live`, { headers: { 'x-request-id': 'standalone-check-1' } });
      expect(kept.headers.get('x-request-id'), 'live: the incoming x-request-id was not kept').toBe('standalone-check-1');
      const generated = await fetch(`${origin}/api/health/live`, { headers: { 'x-request-id': 'bad id\twith spaces' } });
      expect(generated.headers.get('x-request-id') ?? '', 'an invalid x-request-id was not replaced').toMatch(/^[0-9a-f-]{36}$/);

      // A signup posted from another site is refused and logged: the line names the id the proxy handed the route.
      const refused = await fetch(`${origin}/api/newsletter/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://attacker.example' },
        body: JSON.stringify({ email: 'someone@example.com' }),
      });
      expect(refused.status, 'cross-site signup').toBe(403);
      const requestId = refused.headers.get('x-request-id') ?? '';
      expect(requestId, 'the refusal carries no generated x-request-id').toMatch(/^[0-9a-f-]{36}$/);
      const line = await until('the refusal log line', 5_000, async () =>
        server
          .output()
          .split('\n')
          .flatMap((l) => {
            try {
              return [JSON.parse(l) as Record<string, unknown>];
            } catch {
              return [];
            }
          })
          .find((record) => record.msg === 'cross-site-refused' && record.requestId === requestId),
      );
      expect(line, `no cross-site-refused log line with requestId ${requestId}`).toMatchObject({ route: 'subscribe', requestId });
    });

    step('the metrics: 401 without the token, the figures with it, and a signup in one bundle counted by the route in another', async () => {
      const scrape = (authorization?: string) => fetch(`${origin}/api/metrics`, { headers: authorization ? { authorization } : {} });
      for (const authorization of [undefined, 'Bearer not-the-token-at-all-wrong', `Bearer ${METRICS_TOKEN.slice(1)}`]) {
        const refused = await scrape(authorization);
        expect(refused.status, `metrics with ${authorization ?? 'no token'}`).toBe(401);
        expect(await refused.text(), 'a refused scrape shows figures').not.toMatch(/quorum_/);
      }
      const count = (text: string) => Number(/^quorum_newsletter_signups_total\{outcome="invalid"\} (\d+)$/m.exec(text)?.[1] ?? 0);
      const before = await scrape(`Bearer ${METRICS_TOKEN}`);
      expect(before.status, 'metrics with the token').toBe(200);
      expect(before.headers.get('content-type'), 'metrics: content type').toMatch(/^text\/plain; version=0\.0\.4/);
      expect(before.headers.get('x-request-id'), 'metrics: the proxy gave it no request id').toMatch(/^[0-9a-f-]{36}$/);
      const text = await before.text();
      expect(text, 'metrics: the outbox gauges read from Postgres').toMatch(/^quorum_outbox_queue_depth\{kind="CONFIRMATION"\} 0$/m);
      expect(text, 'metrics: database up').toMatch(/^quorum_metrics_database_up 1$/m);
      const invalid = await fetch(`${origin}/api/newsletter/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'not-an-address' }) });
      expect(invalid.status, 'an invalid signup').toBe(400);
      const after = await (await scrape(`Bearer ${METRICS_TOKEN}`)).text();
      expect(count(after) - count(text), 'the invalid signup, counted by the subscribe route, seen by the metrics route').toBe(1);
    });

    step('the feed, and the article its first item links to, showing its title', async () => {
      const rss = await fetch(`${origin}/rss.xml`);
      const rssText = await rss.text();
      expect(rss.status, 'rss.xml').toBe(200);
      expect(rssText, 'rss.xml: no <rss').toContain('<rss');
      const item = /<item>[\s\S]*?<title>(?:<!\[CDATA\[)?([\s\S]*?)(?:\]\]>)?<\/title>[\s\S]*?<link>([^<]+)<\/link>/.exec(rssText);
      expect(item, 'rss.xml has no item with a title and a link').not.toBeNull();
      articlePath = new URL(item![2]!).pathname;
      expect(articlePath, `rss.xml item link is not an article: ${item![2]}`).toMatch(/^\/articles\//);
      const article = await fetch(`${origin}${articlePath}`);
      const articleHtml = await article.text();
      expect(article.status, articlePath).toBe(200);
      title = item![1]!.trim().replace(/&amp;/g, '&');
      expect(articleHtml.replace(/&amp;/g, '&').includes(title), `${articlePath} does not show its title "${title}"`).toBe(true);

      const asset = /["'](\/_next\/static\/[^"']+\.(?:css|js))["']/.exec(articleHtml);
      expect(asset, `${articlePath} references no /_next/static asset`).not.toBeNull();
      const assetResponse = await fetch(`${origin}${asset![1]}`);
      expect(assetResponse.status, `${asset![1]} (is .next/static copied?)`).toBe(200);
    });

    step('search finds that article, and the index the home page names is served (.next/search-index is there)', async () => {
      const firstWord = title.split(/\s+/).find((word) => word.length > 3) ?? title;
      const search = await fetch(`${origin}/search?q=${encodeURIComponent(firstWord)}`);
      const searchHtml = await search.text();
      expect(search.status, '/search (is .next/search-index copied?)').toBe(200);
      expect(searchHtml.includes(`href="${articlePath}`), `/search?q=${firstWord} does not find ${articlePath}`).toBe(true);
      const homeHtml = await (await fetch(`${origin}/`)).text();
      const indexUrl = /data-search-index="([^"]+)"/.exec(homeHtml)?.[1];
      expect(indexUrl, 'the home page names no search index').toBeTruthy();
      expect((await fetch(`${origin}${indexUrl}`)).status, `${indexUrl}: not served`).toBe(200);
    });

    step('an article image from public/media, named by the feed (built before next build)', async () => {
      const rss = await (await fetch(`${origin}/rss.xml`)).text();
      const image = /<img src="[a-z]+:\/\/[^/"]+(\/media\/[^"]+)"/.exec(rss);
      expect(image, 'rss.xml names no article image (content/ has one)').not.toBeNull();
      const response = await fetch(`${origin}${image![1]}`);
      expect(response.status, `${image![1]} (is public/media copied?)`).toBe(200);
      expect(response.headers.get('content-type'), image![1]).toMatch(/^image\//);
    });

    step('the not-found page, listing articles (content/ is there at runtime)', async () => {
      const missing = await fetch(`${origin}/articles/no-such-article-${randomBytes(3).toString('hex')}`);
      const html = await missing.text();
      expect(missing.status, 'unknown article').toBe(404);
      expect(html.replace(/&amp;/g, '&').includes(title), 'the not-found page lists no articles (is content/ there?)').toBe(true);
    });
  });

  let signalledAt = 0;
  let exited: Promise<Exit | null>;
  describe('4. graceful shutdown', () => {
    let inFlight: ReturnType<typeof slowRequest>;
    step('after SIGTERM, readiness answers 503 "shutting down" at once while live and pages are still served', async () => {
      inFlight = slowRequest(port, '/api/health/live');
      await sleep(200);
      signalledAt = Date.now();
      exited = within(server.exited, 30_000);
      server.signal('SIGTERM');
      const draining = await until('readiness to answer "shutting down"', 1_000, async () => {
        const res = await fetch(`${origin}/api/health/ready`);
        return res.status === 503 ? ((await res.json()) as { reason?: string }) : undefined;
      });
      expect(draining.reason, 'ready while draining').toBe('shutting down');
      expect((await fetch(`${origin}/api/health/live`)).status, 'live while draining').toBe(200);
      expect((await fetch(`${origin}${articlePath}`)).status, 'pages while draining').toBe(200);
      expect(Date.now() - signalledAt, 'the drain checks ran too late to prove anything').toBeLessThan(DRAIN_SECONDS * 1000);
    });

    step('the listener closes after the drain delay, and the request in flight then still gets its answer', async () => {
      await until('the listener to close', (DRAIN_SECONDS + 25) * 1000, async () => !(await isListening(port)));
      const closedAfter = Date.now() - signalledAt;
      expect(closedAfter, 'the listener closed before the drain delay (ms after SIGTERM)').toBeGreaterThanOrEqual(DRAIN_SECONDS * 1000 - 100);
      inFlight.send();
      const answered = await within(inFlight.response, 10_000);
      expect(answered, 'the request in flight when the listener closed got no answer').not.toBeNull();
      expect(answered!.at, 'the request in flight was answered before its body was sent').toBeGreaterThanOrEqual(answered!.sentAt);
    });

    step('the process exits 143 (128 + SIGTERM) on its own', async () => {
      const exit = await exited;
      expect(exit, 'the server did not exit within 30 s of SIGTERM').not.toBeNull();
      expect(exit!.code ?? exit!.signal, 'exit code').toBe(143);
      console.log(`standalone: exit ${exit!.code} ${exit!.at - signalledAt} ms after SIGTERM (drain ${DRAIN_SECONDS} s)`);
    });
  });

  describe('the log', () => {
    step('every JSON line has time, level and msg, and the shutdown was logged', () => {
      const log = server.output();
      const jsonLines = log.split('\n').filter((line) => line.startsWith('{'));
      expect(jsonLines.length, 'the server wrote no JSON log line').toBeGreaterThan(0);
      const malformed = jsonLines.filter((line) => {
        const record = JSON.parse(line) as Record<string, unknown>;
        return !(typeof record.time === 'string' && typeof record.level === 'string' && typeof record.msg === 'string');
      });
      expect(malformed, 'log lines without time/level/msg').toEqual([]);
      expect(log, 'no shutdown log line').toMatch(/"msg":"shutdown: hooks done, closing the server"/);
    });
  });
});
