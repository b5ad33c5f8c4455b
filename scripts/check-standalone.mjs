#!/usr/bin/env node
// node scripts/check-standalone.mjs          (after `next build`; npm run test:e2e runs it)
//
// Proves that what the container image ships starts and serves, without Docker: completes
// .next/standalone (scripts/prepare-standalone.mjs), copies it to a temporary folder outside the
// repository (so nothing can be resolved from the repo's node_modules, as in the image), and
// against a fresh database on the test Postgres checks, in order:
//   1. `node server.js` starts; /api/health/live answers 200; /api/health/ready answers 503
//      "migrations pending: <name>" on the unmigrated database;
//   2. `node migrate.mjs` (the migration Job's command) applies the migrations, a second run
//      applies nothing, and readiness turns 200;
//   3. the home page, an article page (found through /rss.xml), the feed, a /_next/static asset,
//      an article image from public/media (named in the feed) and the not-found page (which reads content/ at runtime) are served; x-request-id is set
//      on responses and a sane incoming one is kept; every JSON log line parses;
//   4. SIGTERM: readiness answers 503 "shutting down" at once while pages keep being served
//      through the drain delay, a request in flight (its body still on the way) when the listener
//      closes still gets its answer, and the process exits 143 on its own.
// Exits 1 with the server's log on the first failure. Bounded: every wait has a deadline.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, sleep, until, withAdmin, within } from './lib/checks.mjs';
import { prepareStandalone } from './prepare-standalone.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL?.trim() || 'postgresql://postgres@127.0.0.1:5432/postgres';
const DRAIN_SECONDS = 2;

let checks = 0;
function check(condition, message) {
  if (!condition) throw new Error(message);
  checks += 1;
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function databaseUrl(name) {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Only what a container would have: no DATABASE_URL or other settings leak in from this shell. */
function baseEnv(extra) {
  const env = { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' };
  return { ...env, ...extra };
}

function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A POST whose headers go now and whose body goes when `send()` is called. */
function slowRequest(port, pathname) {
  let sentAt;
  const request = http.request({
    host: '127.0.0.1',
    port,
    path: pathname,
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'text/plain', 'content-length': '5' },
  });
  const response = new Promise((resolve, reject) => {
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

async function main() {
  const standalone = await prepareStandalone({ root, log: () => {} });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'standalone-check-'));
  const name = `pubtest_${Math.floor(Date.now() / 1000)}_${randomBytes(6).toString('hex')}`;
  const url = databaseUrl(name);
  let server;
  let serverLog = '';
  let exited;

  try {
    await cp(standalone, dir, { recursive: true });
    await withAdmin(ADMIN_URL, (client) => client.query(`CREATE DATABASE "${name}"`));
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const env = baseEnv({
      DATABASE_URL: url,
      PORT: String(port),
      HOSTNAME: '127.0.0.1',
      SITE_URL: 'https://publication.example',
      SHUTDOWN_DRAIN_SECONDS: String(DRAIN_SECONDS),
    });

    // 1. Starts (from another working directory: server.js must find its files by itself).
    server = spawn(process.execPath, [path.join(dir, 'server.js')], { cwd: os.tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout.on('data', (chunk) => (serverLog += chunk));
    server.stderr.on('data', (chunk) => (serverLog += chunk));
    exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));

    const live = await until('/api/health/live', 30_000, async () => {
      const res = await fetch(`${origin}/api/health/live`);
      return res.status === 200 ? res : undefined;
    });
    check((await live.json()).status === 'ok', 'live: body is not { status: "ok" }');
    check(live.headers.get('cache-control') === 'no-store', 'live: Cache-Control is not no-store');

    const unmigrated = await fetch(`${origin}/api/health/ready`);
    const unmigratedBody = await unmigrated.json();
    check(unmigrated.status === 503, `ready on an unmigrated database: ${unmigrated.status}, expected 503`);
    check(
      unmigratedBody.status === 'unavailable' && /^migrations pending: \d{14}_/.test(unmigratedBody.reason),
      `ready: unexpected body ${JSON.stringify(unmigratedBody)}`,
    );

    // 2. The migration command the Job runs.
    const migrate = await run(process.execPath, [path.join(dir, 'migrate.mjs')], { cwd: os.tmpdir(), env: baseEnv({ DATABASE_URL: url }) });
    check(migrate.code === 0, `migrate.mjs exited ${migrate.code}:\n${migrate.output}`);
    check(/"msg":"migrate: applied migrations"/.test(migrate.output), `migrate.mjs applied nothing:\n${migrate.output}`);
    check(!migrate.output.includes(url), 'migrate.mjs logged the database URL');
    const again = await run(process.execPath, [path.join(dir, 'migrate.mjs')], { cwd: dir, env: baseEnv({ DATABASE_URL: url }) });
    check(again.code === 0 && /up to date/.test(again.output), `second migrate.mjs run:\n${again.output}`);
    const noUrl = await run(process.execPath, [path.join(dir, 'migrate.mjs')], { cwd: dir, env: baseEnv({}) });
    check(noUrl.code === 1 && /DATABASE_URL is not set/.test(noUrl.output), `migrate.mjs without DATABASE_URL:\n${noUrl.output}`);

    const ready = await until('readiness after migrating', 10_000, async () => {
      const res = await fetch(`${origin}/api/health/ready`);
      return res.status === 200 ? res : undefined;
    });
    check((await ready.json()).status === 'ok', 'ready: body is not { status: "ok" }');
    check(ready.headers.get('cache-control') === 'no-store', 'ready: Cache-Control is not no-store');

    // 3. Serves the site.
    const home = await fetch(`${origin}/`, { headers: { 'x-request-id': 'standalone-check-1' } });
    const homeHtml = await home.text();
    check(home.status === 200 && homeHtml.includes('<html'), `home: ${home.status}`);
    check(home.headers.get('x-request-id') === 'standalone-check-1', 'home: the incoming x-request-id was not kept');
    const generated = await fetch(`${origin}/api/health/live`, { headers: { 'x-request-id': 'bad id\twith spaces' } });
    check(/^[0-9a-f-]{36}$/.test(generated.headers.get('x-request-id') ?? ''), 'an invalid x-request-id was not replaced');

    const rss = await fetch(`${origin}/rss.xml`);
    const rssText = await rss.text();
    check(rss.status === 200 && rssText.includes('<rss'), `rss.xml: ${rss.status}`);
    const item = /<item>[\s\S]*?<title>(?:<!\[CDATA\[)?([\s\S]*?)(?:\]\]>)?<\/title>[\s\S]*?<link>([^<]+)<\/link>/.exec(rssText);
    check(item, 'rss.xml has no item with a title and a link');
    const articlePath = new URL(item[2]).pathname;
    check(articlePath.startsWith('/articles/'), `rss.xml item link is not an article: ${item[2]}`);
    const article = await fetch(`${origin}${articlePath}`);
    const articleHtml = await article.text();
    check(article.status === 200, `${articlePath}: ${article.status}`);
    const title = item[1].trim().replace(/&amp;/g, '&');
    check(articleHtml.replace(/&amp;/g, '&').includes(title), `${articlePath} does not show its title "${title}"`);

    const asset = /["'](\/_next\/static\/[^"']+\.(?:css|js))["']/.exec(articleHtml);
    check(asset, `${articlePath} references no /_next/static asset`);
    const assetResponse = await fetch(`${origin}${asset[1]}`);
    check(assetResponse.status === 200, `${asset[1]}: ${assetResponse.status} (is .next/static copied?)`);

    // Article images (public/media, made before the build): the feed names them with absolute URLs.
    const image = /<img src="[a-z]+:\/\/[^/"]+(\/media\/[^"]+)"/.exec(rssText);
    if (image) {
      const imageResponse = await fetch(`${origin}${image[1]}`);
      check(imageResponse.status === 200, `${image[1]}: ${imageResponse.status} (is public/media copied?)`);
      check(/^image\//.test(imageResponse.headers.get('content-type') ?? ''), `${image[1]}: content-type ${imageResponse.headers.get('content-type')}`);
    }

    const missing = await fetch(`${origin}/articles/no-such-article-${randomBytes(3).toString('hex')}`);
    const missingHtml = await missing.text();
    check(missing.status === 404, `unknown article: ${missing.status}, expected 404`);
    check(missingHtml.replace(/&amp;/g, '&').includes(title), 'the not-found page lists no articles (is content/ there?)');

    // 4. Graceful shutdown.
    const inFlight = slowRequest(port, '/api/health/live');
    await sleep(200);
    const signalledAt = Date.now();
    server.kill('SIGTERM');
    const draining = await until('readiness to answer "shutting down"', 1_000, async () => {
      const res = await fetch(`${origin}/api/health/ready`);
      return res.status === 503 ? res.json() : undefined;
    });
    check(draining.reason === 'shutting down', `ready while draining: ${JSON.stringify(draining)}`);
    check((await fetch(`${origin}/api/health/live`)).status === 200, 'live stopped answering 200 while draining');
    check((await fetch(`${origin}${articlePath}`)).status === 200, 'pages stopped being served while draining');
    check(Date.now() - signalledAt < DRAIN_SECONDS * 1000, 'the drain checks ran too late to prove anything');

    await until('the listener to close', (DRAIN_SECONDS + 25) * 1000, async () => !(await canConnect(port)));
    const closedAt = Date.now();
    check(closedAt - signalledAt >= DRAIN_SECONDS * 1000 - 100, `the listener closed after ${closedAt - signalledAt} ms, before the drain delay`);
    inFlight.send();
    const answered = await within(inFlight.response, 10_000);
    check(answered, 'the request in flight when the listener closed got no answer');
    check(answered.at >= answered.sentAt, 'the request in flight was answered before its body was sent');

    const exit = await within(exited, 30_000);
    check(exit, 'the server did not exit within 30 s of SIGTERM');
    check(exit.code === 143, `the server exited with ${exit.code ?? exit.signal}, expected 143 (128 + SIGTERM)`);

    const jsonLines = serverLog.split('\n').filter((line) => line.startsWith('{'));
    check(jsonLines.length > 0, 'the server wrote no JSON log line');
    for (const line of jsonLines) {
      const record = JSON.parse(line);
      check(typeof record.time === 'string' && typeof record.level === 'string' && typeof record.msg === 'string', `log line without time/level/msg: ${line}`);
    }
    check(/"msg":"shutdown: hooks done, closing the server"/.test(serverLog), 'no shutdown log line');

    console.log(`check-standalone: ok (${checks} checks; exit ${exit.code} ${exit.at - signalledAt} ms after SIGTERM)`);
  } catch (err) {
    console.error(`check-standalone: FAILED: ${err.message}`);
    if (serverLog) console.error(`--- server log ---\n${serverLog.split('\n').slice(-40).join('\n')}`);
    process.exitCode = 1;
  } finally {
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill('SIGKILL');
      await exited;
    }
    await withAdmin(ADMIN_URL, async (client) => {
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      await client.query(`DROP DATABASE IF EXISTS "${name}"`);
    }).catch((err) => console.error(`check-standalone: could not drop ${name}: ${err.message}`));
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`check-standalone: FAILED: ${err.message}`);
  process.exit(1);
});
