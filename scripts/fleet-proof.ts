#!/usr/bin/env tsx
// npm run test:fleet        (after `next build`; npm run test:e2e runs it after check-standalone)
//
// The fleet, proven on one machine: THREE instances of the production build (`node server.js`
// from .next/standalone, each in its own copy, as each pod has its own filesystem) on loopback
// ports, behind nginx (Debian's package; round robin, `proxy_next_upstream error timeout`, no
// upstream keepalive), sharing one fresh Postgres database, sending email to the fake Resend
// server (test/fake-resend/server.ts, in this process). As a Service does with its endpoints, an
// instance is in nginx's upstream only while its readiness answers 200 (class Rotation). Then,
// with assertions that exit 1 with details:
//   1. signups spread across the instances: N signups (about 30 % repeated addresses, some in
//      another letter case) from distinct client IPs through nginx are answered 200 by all three;
//      the subscriber rows are exactly the unique addresses, and each got exactly one
//      confirmation email;
//   2. the rate limits are the fleet's, not an instance's: one address four times (answered by
//      different instances) is refused the fourth time with 429 + Retry-After; one IP beyond its
//      limit likewise, and the refused signups wrote nothing;
//   3. SIGKILL in the middle of a load run, while the victim holds outbox claims (the fake answers
//      slowly so sends are in flight): every signup answered 200 has its row, the only failures
//      are the victim's own in-flight requests (502 from nginx, or an answer cut off, traced to the
//      victim through nginx's access log), and once the short claim lease (OUTBOX_LEASE_SECONDS)
//      expires, and not before, the other instances send the dead one's rows: nothing stuck in
//      SENDING, one delivered confirmation per subscriber, re-sent requests replayed by their
//      Idempotency-Key instead of delivered twice;
//   4. a rolling restart during a load run (pages, feed, signups): one instance at a time SIGTERM,
//      exit 143, start again, ready; the balancer answers every request (no 5xx, no connection
//      error): readiness turns 503 at once and takes the instance out of nginx during the drain,
//      nginx retries a refused connection, and the shutdown answers what is in flight;
//   5. the Kubernetes manifests: test/fleet/k8s-manifests.test.ts (Vitest, npm run test:unit).
// Also: no instance log line carries one of the test's email addresses.
// Prints a summary table. Everything it starts (instances, nginx, the fake, the database, temp
// folders) is removed at the end, on failure too; every wait has a deadline and the whole run
// one too (RUN_DEADLINE_MS, FLEET_PROOF_DEADLINE_MS overrides). Load goes to 127.0.0.1 only.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startFakeResend, type FakeDelivery, type FakeResend } from '../testing/fake-resend/server';
import { freePort, sleep, until, withAdmin, within } from './lib/checks.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL?.trim() || 'postgresql://postgres@127.0.0.1:5432/postgres';

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
/** lib/newsletter/worker.ts WORKER_INTERVAL_MS: how often an idle instance looks for due rows. */
const WORKER_INTERVAL_MS = 5_000;
/** Readiness answers 503 this long before the listener closes: time for the balancer to take the instance out. */
const DRAIN_SECONDS = 3;
/** Phase 4: load lanes during the rolling restart (fewer than CONCURRENCY: three restarts share 2 cores). */
const ROLLING_LANES = 6;
const REQUEST_TIMEOUT_MS = 30_000;
const READY_TIMEOUT_MS = 90_000;
const RUN_DEADLINE_MS = Number(process.env.FLEET_PROOF_DEADLINE_MS) || 8 * 60_000;

const RUN_ID = `${Math.floor(Date.now() / 1000).toString(36)}${randomBytes(3).toString('hex')}`;
const DB_NAME = `fleet_${RUN_ID}`;
/** Every address this run uses starts with this, so the log check can look for it. */
const ADDRESS_MARK = `fleet-${RUN_ID}`;

// ---------------------------------------------------------------------------------------------
// small helpers

class ProofError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'ProofError';
  }
}

function check(condition: unknown, message: string, details: string[] = []): asserts condition {
  if (!condition) throw new ProofError(message, details);
}

type HttpAnswer = { status: number; headers: http.IncomingHttpHeaders; body: string };

/**
 * One HTTP request on a connection of its own (no keep-alive: a balancer reload or an instance
 * going away can then never catch a request on an idle connection it is closing), answered
 * within `timeoutMs` or rejected. node:http rather than fetch: every timer here is one this code
 * holds (a first version using fetch with AbortSignal.timeout() once stalled for minutes).
 */
function httpRequest(options: { port: number; method?: string; path: string; headers?: Record<string, string>; body?: string; timeoutMs: number }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: '127.0.0.1',
      port: options.port,
      method: options.method ?? 'GET',
      path: options.path,
      agent: false,
      headers: { connection: 'close', ...(options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }), ...options.headers },
    });
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    request.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      response.on('end', () => {
        clearTimeout(timer);
        if (!response.complete) reject(Object.assign(new Error('the answer was cut off'), { code: 'ECUT' }));
        else resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.end(options.body);
  });
}

function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

const formatCounts = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => `${name}:${count}`)
    .join(' ');

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

let ipCounter = 0;
/** A client IP nobody else in this run uses (10.0.0.0/8: private, never routed anywhere). */
function nextClientIp(): string {
  ipCounter += 1;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

// ---------------------------------------------------------------------------------------------
// the instances

type Exit = { code: number | null; signal: NodeJS.Signals | null };

const LOG_LINES_KEPT = 20_000;

class Instance {
  child: ChildProcess | undefined;
  exited: Promise<Exit> | undefined;
  starts = 0;
  /** What the instance wrote, across its restarts, prefixed with name and start number (the first LOG_LINES_KEPT lines). */
  readonly lines: string[] = [];
  lineCount = 0;
  jsonLevels: Record<string, number> = {};
  /** Lines that contain one of this run's email addresses (each line is checked as it arrives). */
  readonly leaks: string[] = [];

  constructor(
    readonly name: string,
    readonly port: number,
    readonly dir: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (world.closing) throw new ProofError(`not starting instance ${this.name}: cleaning up`);
    this.starts += 1;
    const tag = `[${this.name}#${this.starts}]`;
    const child = spawn(process.execPath, [path.join(this.dir, 'server.js')], { cwd: this.dir, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    const collect = (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) {
        this.lineCount += 1;
        if (this.lines.length < LOG_LINES_KEPT) this.lines.push(`${tag} ${line}`);
        if (line.includes(ADDRESS_MARK) && this.leaks.length < 10) this.leaks.push(`${tag} ${line}`);
        const level = line.startsWith('{') ? (/"level":"(\w+)"/.exec(line)?.[1] ?? '?') : undefined;
        if (level) this.jsonLevels[level] = (this.jsonLevels[level] ?? 0) + 1;
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    this.child = child;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child!.kill(signal);
  }

  async waitExit(timeoutMs: number): Promise<Exit> {
    const exit = await within(this.exited!, timeoutMs);
    if (!exit) throw new ProofError(`instance ${this.name} did not exit within ${timeoutMs} ms`, this.tail());
    return exit;
  }

  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      if (!this.running) throw new ProofError(`instance ${this.name} exited while starting`, this.tail());
      try {
        const answer = await httpRequest({ port: this.port, path: '/api/health/ready', timeoutMs: 3_000 });
        last = `${answer.status} ${answer.body}`;
        if (answer.status === 200) return;
      } catch (err) {
        last = (err as Error).message;
      }
      await sleep(200);
    }
    throw new ProofError(`instance ${this.name} was not ready within ${timeoutMs} ms (last answer: ${last})`, this.tail());
  }

  tail(count = 25): string[] {
    return this.lines.slice(-count);
  }
}

// ---------------------------------------------------------------------------------------------
// nginx

type Nginx = { port: number; child: ChildProcess; exited: Promise<Exit>; dir: string; conf: string; output: string[] };

function findNginx(): string {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) if (existsSync(candidate)) return candidate;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'nginx'))) return path.join(dir, 'nginx');
  }
  throw new ProofError('nginx is not installed (Debian: apt-get install -y nginx; .ci/run installs it)');
}

function nginxConfig(dir: string, port: number, upstreams: Instance[], out: ReadonlySet<string> = new Set()): string {
  const temp = (name: string) => path.join(dir, 'temp', name);
  return `# Written by scripts/fleet-proof.ts; removed after the run.
daemon off;
worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  # One line per request, written as it completes: the test reads it to learn which instance a
  # request went to when the answer never reached the client (the instance died mid-answer).
  log_format fleet '$http_x_request_id $status upstream=$upstream_addr upstream_status=$upstream_status';
  access_log ${path.join(dir, 'access.log')} fleet;
  # The client's request id when it sends one (the test does), nginx's own otherwise.
  map $http_x_request_id $fleet_request_id {
    "" $request_id;
    default $http_x_request_id;
  }
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};

  # Round robin (nginx's default) over the instances whose readiness answers 200 (the others are
  # "down": see Rotation). max_fails=0: no instance is benched for a while after one refused
  # connection; such a request is retried on the next instance instead (proxy_next_upstream).
  upstream publication {
${upstreams.map((instance) => `    server ${instance.address} max_fails=0${out.has(instance.name) ? ' down' : ''};`).join('\n')}
  }

  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://publication;
      # No upstream keepalive: one connection per request, closed after it.
      proxy_http_version 1.1;
      proxy_set_header Connection close;
      proxy_set_header Host $http_host;
      # The test names each request's client (so rate limits see distinct clients); a real
      # balancer would set $remote_addr here.
      proxy_set_header X-Forwarded-For $http_x_fleet_client_ip;
      proxy_set_header X-Request-Id $fleet_request_id;
      # A refused connection or a connect timeout goes to the next instance (POSTs too: nothing was
      # sent yet). A request already sent to an instance that then dies is not replayed: 502.
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries 3;
      proxy_connect_timeout 2s;
      proxy_read_timeout 30s;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`;
}

async function startNginx(base: string, port: number, upstreams: Instance[]): Promise<Nginx> {
  const binary = findNginx();
  const dir = path.join(base, 'nginx');
  // Started as root, nginx's workers run as nobody: they may need to write request bodies here.
  for (const name of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    await mkdir(path.join(dir, 'temp', name), { recursive: true });
    await chmod(path.join(dir, 'temp', name), 0o777);
  }
  const conf = path.join(dir, 'nginx.conf');
  await writeFile(conf, nginxConfig(dir, port, upstreams));
  const test = await run(binary, ['-t', '-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')], { cwd: dir, env: process.env, timeoutMs: 10_000 });
  check(test.code === 0, `nginx -t rejected the configuration`, test.output.split('\n'));

  const output: string[] = [];
  const child = spawn(binary, ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk) => output.push(String(chunk)));
  child.stderr!.on('data', (chunk) => output.push(String(chunk)));
  const exited = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const nginx = { port, child, exited, dir, conf, output };
  await until('nginx to answer', 15_000, async () => {
    if (child.exitCode !== null) throw new ProofError(`nginx exited with ${child.exitCode}`, output);
    return (await httpRequest({ port, path: '/api/health/live', timeoutMs: 3_000 })).status === 200;
  });
  return nginx;
}

/**
 * What Kubernetes does for a Service, done for nginx: an instance receives traffic while its
 * readiness (/api/health/ready) answers 200. It is taken out at once when it is going away (503
 * "shutting down" right after SIGTERM, as a terminating pod leaves the endpoints at once; or its
 * port refuses connections: the process is dead), and otherwise after FAILURE_THRESHOLD failed
 * probes in a row (timeout PROBE_TIMEOUT_MS), as deploy/k8s/deployment.yaml's readinessProbe says,
 * so one slow answer on a loaded machine is no reason. Each instance is probed in its own loop,
 * every PROBE_EVERY_MS (Kubernetes' period is seconds; this run is shorter). A change rewrites the
 * upstream with `down` on the instances out and reloads nginx (SIGHUP; applied once a new worker
 * process runs; reloads one at a time).
 *
 * Without this, nginx keeps opening connections to an instance until its listener closes, and a
 * connection that arrives in that instant (queued by the kernel, or accepted with its request not
 * yet read) is reset: nginx has already sent the POST, may not replay it, and answers 502. Seen
 * in about one rolling restart in two here. Readiness turning 503 during the drain delay exists
 * so that the balancer stops sending before the close; this makes the balancer listen.
 */
const FAILURE_THRESHOLD = 2;
const PROBE_TIMEOUT_MS = 3_000;
const PROBE_EVERY_MS = 100;

class Rotation {
  readonly out = new Set<string>();
  readonly events: { at: number; instance: string; change: 'out' | 'in'; reason: string }[] = [];
  failure: Error | undefined;
  private stopped = false;
  private loops: Promise<void>[] = [];
  private reloads: Promise<void> = Promise.resolve();

  constructor(
    private readonly nginx: Nginx,
    private readonly instances: Instance[],
  ) {}

  start(): void {
    this.loops = this.instances.map((instance) => this.watch(instance));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await within(Promise.all(this.loops), PROBE_TIMEOUT_MS + 10_000);
  }

  /** The first time `instance` went `change` at or after `since`, or undefined. */
  when(instance: string, change: 'out' | 'in', since: number): number | undefined {
    return this.events.find((event) => event.instance === instance && event.change === change && event.at >= since)?.at;
  }

  /** Changes not caused by this run's own kills and restarts (slow or failing readiness). */
  flaps(): number {
    return this.events.filter((event) => event.change === 'out' && !/shutting down|ECONNREFUSED|ECONNRESET/.test(event.reason)).length;
  }

  private async probe(instance: Instance): Promise<{ verdict: 'ready' | 'going' | 'failed'; reason: string }> {
    try {
      const answer = await httpRequest({ port: instance.port, path: '/api/health/ready', timeoutMs: PROBE_TIMEOUT_MS });
      if (answer.status === 200) return { verdict: 'ready', reason: '200' };
      const reason = `${answer.status} ${answer.body.slice(0, 100)}`;
      return { verdict: /shutting down/.test(answer.body) ? 'going' : 'failed', reason };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return { verdict: 'going', reason: code };
      return { verdict: 'failed', reason: (err as Error).message };
    }
  }

  private async watch(instance: Instance): Promise<void> {
    let failures = 0;
    while (!this.stopped && !this.failure) {
      const { verdict, reason } = await this.probe(instance);
      failures = verdict === 'failed' ? failures + 1 : 0;
      const ready = verdict === 'ready' ? true : verdict === 'going' || failures >= FAILURE_THRESHOLD ? false : undefined;
      if (ready !== undefined && ready === this.out.has(instance.name) && !this.stopped) {
        if (ready) this.out.delete(instance.name);
        else this.out.add(instance.name);
        this.events.push({ at: Date.now(), instance: instance.name, change: ready ? 'in' : 'out', reason });
        await this.reload();
      }
      await sleep(PROBE_EVERY_MS);
    }
  }

  /** Applies the current set; one reload at a time (each writes the set as it is then). */
  private reload(): Promise<void> {
    this.reloads = this.reloads.then(async () => {
      if (this.failure) return;
      try {
        const events = this.events.slice(-8).map((e) => `${new Date(e.at).toISOString().slice(11, 23)} ${e.instance} ${e.change}: ${e.reason}`);
        check(this.out.size < this.instances.length, 'every instance failed its readiness: nginx would have nowhere to send requests', events);
        await writeFile(this.nginx.conf, nginxConfig(this.nginx.dir, this.nginx.port, this.instances, this.out));
        const master = this.nginx.child.pid!;
        const before = await childPids(master);
        process.kill(master, 'SIGHUP');
        await until('nginx to reload its upstream', 10_000, async () => (await childPids(master)).some((pid) => !before.includes(pid)), 20);
      } catch (err) {
        this.failure = err as Error;
      }
    });
    return this.reloads;
  }
}

/** nginx's worker processes (children of the master), read from /proc. */
async function childPids(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function stopNginx(nginx: Nginx): Promise<void> {
  if (nginx.child.exitCode !== null || nginx.child.signalCode !== null) return;
  const workers = nginx.child.pid ? await childPids(nginx.child.pid) : [];
  nginx.child.kill('SIGTERM'); // fast shutdown: the master stops its workers
  if (await within(nginx.exited, 5_000)) return;
  for (const pid of workers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  nginx.child.kill('SIGKILL');
  await within(nginx.exited, 5_000);
}

// ---------------------------------------------------------------------------------------------
// requests through the balancer

type Sample = {
  /** Sent as X-Request-Id: nginx's access log and the instance's log lines carry it. */
  id: string;
  kind: 'signup' | 'page' | 'feed';
  path: string;
  email?: string;
  ip: string;
  /** 0 when no HTTP answer came back (connection error, timeout). */
  status: number;
  error?: string;
  /** The instance that answered (the last of nginx's $upstream_addr), or '-' */
  upstream: string;
  /** Every instance nginx tried (more than one when it retried). */
  tried: string[];
  retryAfter: string | null;
  startedAt: number;
  endedAt: number;
};

class Balancer {
  readonly samples: Sample[] = [];
  readonly nameOf = new Map<string, string>();

  constructor(
    readonly port: number,
    instances: Instance[],
  ) {
    for (const instance of instances) this.nameOf.set(instance.address, instance.name);
  }

  async request(kind: Sample['kind'], pathname: string, options: { ip?: string; email?: string } = {}): Promise<Sample> {
    const ip = options.ip ?? nextClientIp();
    const startedAt = Date.now();
    const sample: Sample = { id: `fp-${RUN_ID}-${++requestCounter}`, kind, path: pathname, email: options.email, ip, status: 0, upstream: '-', tried: [], retryAfter: null, startedAt, endedAt: startedAt };
    try {
      const answer = await httpRequest({
        port: this.port,
        method: kind === 'signup' ? 'POST' : 'GET',
        path: pathname,
        headers: {
          'x-request-id': sample.id,
          'x-fleet-client-ip': ip,
          accept: kind === 'signup' ? 'application/json' : 'text/html, application/xml',
          ...(kind === 'signup' ? { 'content-type': 'application/json' } : {}),
        },
        body: kind === 'signup' ? JSON.stringify({ email: options.email, source: 'fleet-proof' }) : undefined,
        timeoutMs: REQUEST_TIMEOUT_MS,
      });
      sample.status = answer.status;
      const retryAfter = answer.headers['retry-after'];
      sample.retryAfter = typeof retryAfter === 'string' ? retryAfter : null;
      sample.tried = String(answer.headers['x-upstream'] ?? '')
        .split(/\s*,\s*|\s+:\s+/) // "a, b" when nginx retried; "a : b" after an internal redirect
        .map((address) => address.trim())
        .filter(Boolean)
        .map((address) => this.nameOf.get(address) ?? address);
      sample.upstream = sample.tried.at(-1) ?? '-';
    } catch (err) {
      sample.error = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    }
    sample.endedAt = Date.now();
    this.samples.push(sample);
    return sample;
  }

  signup(email: string, ip?: string): Promise<Sample> {
    return this.request('signup', '/api/newsletter/subscribe', { email, ip });
  }
}

let requestCounter = 0;

/** Which instance nginx last sent each request to, by request id, from its access log. */
async function upstreamsFromAccessLog(nginx: Nginx, nameOf: Map<string, string>): Promise<Map<string, string>> {
  const text = await readFile(path.join(nginx.dir, 'access.log'), 'utf8').catch(() => '');
  const byId = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^(\S+) \d+ upstream=(.*) upstream_status=/.exec(line);
    if (!match) continue;
    const last = match[2]!.split(/\s*,\s*|\s+:\s+/).at(-1)?.trim() ?? '';
    byId.set(match[1]!, nameOf.get(last) ?? last);
  }
  return byId;
}

async function runPool<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}

const describeSample = (s: Sample) =>
  `${s.id} ${s.kind} ${s.path}${s.email ? ` ${s.email}` : ''} ip=${s.ip} -> ${s.status || s.error} via ${s.tried.join('>') || '-'} (${s.endedAt - s.startedAt} ms)`;

// ---------------------------------------------------------------------------------------------
// the database and the mailbox

type Db = pg.Pool;

async function subscriberEmails(db: Db, like: string): Promise<Set<string>> {
  const { rows } = await db.query<{ email: string }>('SELECT email FROM subscribers WHERE email LIKE $1', [like]);
  return new Set(rows.map((row) => row.email));
}

async function outboxByStatus(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; count: string }>('SELECT status::text AS status, count(*) AS count FROM outbox_emails GROUP BY status');
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
}

/** Waits until every outbox row has been dealt with (none QUEUED or SENDING). */
async function waitOutboxSettled(db: Db, timeoutMs: number): Promise<void> {
  try {
    await until('the outbox to drain (no row QUEUED or SENDING)', timeoutMs, async () => {
      const counts = await outboxByStatus(db);
      return (counts.QUEUED ?? 0) + (counts.SENDING ?? 0) === 0;
    }, 250);
  } catch (err) {
    const { rows } = await db.query(
      `SELECT id, status::text, attempts, claimed_by, claimed_until, next_attempt_at, last_error FROM outbox_emails WHERE status IN ('QUEUED', 'SENDING') LIMIT 10`,
    );
    throw new ProofError((err as Error).message, rows.map((row) => JSON.stringify(row)));
  }
}

function recipientOf(delivery: FakeDelivery): string {
  const to = delivery.to[0] ?? '';
  return (/<([^<>]+)>\s*$/.exec(to)?.[1] ?? to).trim().toLowerCase();
}

/**
 * The run-wide email invariant: every outbox row is SENT (no retry left over, none stuck, none
 * failed), each subscriber got exactly one confirmation, each delivery is one outbox row (its
 * Idempotency-Key) to that row's address, and no key was delivered twice.
 */
async function checkOneConfirmationEach(db: Db, fake: FakeResend, phase: string): Promise<{ subscribers: number; deliveries: number; replayedKeys: number }> {
  const statuses = await outboxByStatus(db);
  check(Object.keys(statuses).every((status) => status === 'SENT'), `${phase}: outbox rows not SENT: ${formatCounts(statuses)}`);
  const subscribers = await subscriberEmails(db, '%');
  const { rows: outbox } = await db.query<{ id: string; to_address: string; kind: string }>('SELECT id::text AS id, to_address, kind::text AS kind FROM outbox_emails');
  const rowById = new Map(outbox.map((row) => [row.id, row]));
  const deliveries = fake.deliveries();

  const byAddress = new Map<string, FakeDelivery[]>();
  const byKey = new Map<string, number>();
  const problems: string[] = [];
  for (const delivery of deliveries) {
    const address = recipientOf(delivery);
    byAddress.set(address, [...(byAddress.get(address) ?? []), delivery]);
    const key = delivery.idempotencyKey ?? '(none)';
    byKey.set(key, (byKey.get(key) ?? 0) + 1);
    const row = rowById.get(key);
    if (!row) problems.push(`delivery to ${address} with Idempotency-Key ${key}: no such outbox row`);
    else if (row.to_address !== address) problems.push(`delivery for row ${key} went to ${address}, the row says ${row.to_address}`);
    else if (row.kind !== 'CONFIRMATION') problems.push(`row ${key} is a ${row.kind}, expected only confirmations`);
  }
  for (const [key, count] of byKey) if (count > 1) problems.push(`Idempotency-Key ${key} delivered ${count} times`);
  for (const [address, list] of byAddress) if (list.length > 1) problems.push(`${address} got ${list.length} confirmations`);
  for (const address of subscribers) if (!byAddress.has(address)) problems.push(`${address} has a row but got no confirmation`);
  for (const address of byAddress.keys()) if (!subscribers.has(address)) problems.push(`${address} got an email but has no row`);
  check(problems.length === 0, `${phase}: not exactly one confirmation per subscriber (${problems.length} problems)`, problems.slice(0, 20));
  check(outbox.length === subscribers.size, `${phase}: ${outbox.length} outbox rows for ${subscribers.size} subscribers`);

  const requestsByKey = countBy(
    fake.requests().filter((request) => request.path === '/emails' && request.headers['idempotency-key']),
    (request) => request.headers['idempotency-key']!,
  );
  const replayedKeys = Object.values(requestsByKey).filter((count) => count > 1).length;
  return { subscribers: subscribers.size, deliveries: deliveries.length, replayedKeys };
}

// ---------------------------------------------------------------------------------------------
// the proof

type Row = { proof: string; result: 'ok' | 'FAILED' | 'not run'; evidence: string };

const results: Row[] = [
  { proof: '1. signups spread across instances', result: 'not run', evidence: '' },
  { proof: '2. rate limits hold across instances', result: 'not run', evidence: '' },
  { proof: '3. SIGKILL mid-load, claims drained', result: 'not run', evidence: '' },
  { proof: '4. rolling restart under load', result: 'not run', evidence: '' },
  { proof: '5. Kubernetes manifests', result: 'ok', evidence: 'test/fleet/k8s-manifests.test.ts (Vitest, npm run test:unit)' },
];

type World = {
  tmp?: string;
  instances: Instance[];
  nginx?: Nginx;
  rotation?: Rotation;
  fake?: FakeResend;
  db?: Db;
  databaseCreated: boolean;
  /** Set when cleaning up begins: nothing new is started after it. */
  closing: boolean;
};

const world: World = { instances: [], databaseCreated: false, closing: false };

function log(line: string): void {
  console.log(`fleet-proof: ${line}`);
}

let runningPhase: Row | undefined;

async function phase(index: number, work: () => Promise<string>): Promise<void> {
  const row = results[index]!;
  runningPhase = row;
  const started = Date.now();
  log(`${row.proof} ...`);
  try {
    row.evidence = await work();
    const broken = world.rotation?.failure;
    if (broken) throw new ProofError(`keeping nginx's upstream in step with readiness failed: ${broken.message}`, broken instanceof ProofError ? broken.details : []);
    row.result = 'ok';
    log(`${row.proof}: ok (${seconds(Date.now() - started)})`);
  } catch (err) {
    row.result = 'FAILED';
    row.evidence = err instanceof Error ? err.message : String(err);
    throw err;
  }
}

async function setUp(): Promise<{ balancer: Balancer; db: Db; fake: FakeResend }> {
  const standalone = path.join(ROOT, '.next', 'standalone');
  if (!existsSync(path.join(standalone, 'server.js')) || !existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
    throw new ProofError(`no production build in ${path.join(ROOT, '.next')}: run \`npm run build\` (next build) first`);
  }
  // Completes the standalone output as the image has it (static files, content, migrations, migrate.mjs).
  const prepared = await run(process.execPath, [path.join(ROOT, 'scripts', 'prepare-standalone.mjs')], { cwd: ROOT, env: process.env, timeoutMs: 120_000 });
  check(prepared.code === 0, 'scripts/prepare-standalone.mjs failed', prepared.output.split('\n'));
  log('standalone output prepared');

  world.tmp = await mkdtemp(path.join(os.tmpdir(), 'fleet-proof-'));
  await chmod(world.tmp, 0o755);

  await withAdmin(ADMIN_URL, (client) => client.query(`CREATE DATABASE "${DB_NAME}"`));
  world.databaseCreated = true;
  const url = databaseUrl(DB_NAME);
  const baseEnv = { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), NODE_ENV: 'production' as const, NEXT_TELEMETRY_DISABLED: '1' };
  const migrated = await run(process.execPath, [path.join(standalone, 'migrate.mjs')], { cwd: standalone, env: { ...baseEnv, DATABASE_URL: url }, timeoutMs: 120_000 });
  check(migrated.code === 0, `migrate.mjs exited ${migrated.code}`, migrated.output.split('\n').slice(-20));
  log(`database ${DB_NAME} created and migrated`);

  world.fake = await startFakeResend({ apiKey: 're_fleet_proof_key' });
  world.db = new pg.Pool({ connectionString: url, max: 3, connectionTimeoutMillis: 10_000 });

  // One copy of the standalone output per instance, outside the repository (nothing resolves from
  // the repo's node_modules, and each has its own .next/cache, like a pod's filesystem).
  const ports: number[] = [];
  while (ports.length < INSTANCE_NAMES.length) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  await Promise.all(INSTANCE_NAMES.map((name) => cp(standalone, path.join(world.tmp!, name), { recursive: true })));

  // The balancer's origin is the instances' SITE_URL (links in emails): its port is picked now.
  let balancerPort = await freePort();
  while (ports.includes(balancerPort)) balancerPort = await freePort();
  const env = {
    ...baseEnv,
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
  };
  world.instances = INSTANCE_NAMES.map((name, i) => new Instance(name, ports[i]!, path.join(world.tmp!, name), { ...env, PORT: String(ports[i]) }));
  for (const instance of world.instances) instance.start();
  await Promise.all(world.instances.map((instance) => instance.waitReady(READY_TIMEOUT_MS)));
  log(`instances ready: ${world.instances.map((i) => `${i.name}=${i.address}`).join(' ')}`);

  world.nginx = await startNginx(world.tmp, balancerPort, world.instances);
  world.rotation = new Rotation(world.nginx, world.instances);
  world.rotation.start();
  return { balancer: new Balancer(world.nginx.port, world.instances), db: world.db, fake: world.fake };
}

async function proveSpread(balancer: Balancer, db: Db, fake: FakeResend): Promise<string> {
  const unique = Math.round(SIGNUPS * (1 - REPEAT_SHARE));
  const addresses = Array.from({ length: unique }, (_, i) => `${ADDRESS_MARK}-p1-${i}@example.com`);
  // The repeats: an earlier address again (every other one in capitals, which is the same address).
  const repeats = Array.from({ length: SIGNUPS - unique }, (_, i) => (i % 2 === 0 ? addresses[i]! : addresses[i]!.toUpperCase()));
  const items = shuffle([...addresses, ...repeats]);
  const started = Date.now();
  const samples = await runPool(items, CONCURRENCY, (email) => balancer.signup(email));
  const elapsed = Date.now() - started;

  const failed = samples.filter((s) => s.status !== 200);
  check(failed.length === 0, `${failed.length} of ${samples.length} signups were not answered 200`, failed.slice(0, 15).map(describeSample));
  const served = countBy(samples, (s) => s.upstream);
  for (const name of INSTANCE_NAMES) check((served[name] ?? 0) > 0, `instance ${name} served none of the signups (${formatCounts(served)})`);

  const rows = await subscriberEmails(db, `${ADDRESS_MARK}-p1-%`);
  const missing = addresses.filter((address) => !rows.has(address));
  check(rows.size === unique && missing.length === 0, `${rows.size} subscriber rows for ${unique} unique addresses`, missing.slice(0, 10));

  await waitOutboxSettled(db, 60_000);
  const mail = await checkOneConfirmationEach(db, fake, 'signups');
  check(mail.deliveries === unique, `${mail.deliveries} confirmations for ${unique} addresses`);
  return `${SIGNUPS} signups (${SIGNUPS - unique} repeats) in ${seconds(elapsed)}, all 200; served ${formatCounts(served)}; ${rows.size} rows = unique addresses; ${mail.deliveries} confirmations, 1 each`;
}

async function proveRateLimits(balancer: Balancer, db: Db): Promise<string> {
  // One address, four times, each from another client: the fourth is refused.
  const address = `${ADDRESS_MARK}-p2-address@example.com`;
  const perAddress: Sample[] = [];
  for (let i = 0; i < 4; i += 1) perAddress.push(await balancer.signup(address));
  const statuses = perAddress.map((s) => s.status);
  check(
    statuses.join(',') === '200,200,200,429',
    `one address 4 times: statuses ${statuses.join(',')}, expected 200,200,200,429`,
    perAddress.map(describeSample),
  );
  const last = perAddress[3]!;
  check(/^[1-9]\d*$/.test(last.retryAfter ?? ''), `the per-address 429 has Retry-After ${JSON.stringify(last.retryAfter)}`);
  const addressInstances = new Set(perAddress.map((s) => s.upstream));
  check(addressInstances.size >= 2, `the per-address requests all landed on one instance (${[...addressInstances].join(',')}): proves nothing`, perAddress.map(describeSample));

  // One client IP, beyond its limit (10 per 10 minutes), with a new address each time.
  const ip = nextClientIp();
  const perIp: Sample[] = [];
  for (let i = 0; i < 12; i += 1) perIp.push(await balancer.signup(`${ADDRESS_MARK}-p2-ip-${i}@example.com`, ip));
  const ipStatuses = perIp.map((s) => s.status);
  const expected = [...Array(10).fill(200), 429, 429];
  check(ipStatuses.join(',') === expected.join(','), `one IP 12 times: statuses ${ipStatuses.join(',')}`, perIp.map(describeSample));
  for (const s of perIp.slice(10)) check(/^[1-9]\d*$/.test(s.retryAfter ?? ''), `a per-IP 429 has Retry-After ${JSON.stringify(s.retryAfter)}`);
  const ipInstances = new Set(perIp.map((s) => s.upstream));
  check(ipInstances.size >= 2, `the per-IP requests all landed on one instance: proves nothing`, perIp.map(describeSample));
  const refusedInstances = new Set(perIp.slice(10).map((s) => s.upstream));

  // The refused signups wrote nothing; the allowed ones did.
  const rows = await subscriberEmails(db, `${ADDRESS_MARK}-p2-%`);
  check(rows.has(address), 'the rate-limited address has no row');
  for (let i = 0; i < 12; i += 1) {
    const has = rows.has(`${ADDRESS_MARK}-p2-ip-${i}@example.com`);
    check(i < 10 ? has : !has, i < 10 ? `allowed signup ${i} has no row` : `refused signup ${i} wrote a row`);
  }
  return (
    `address x4 -> ${statuses.join(',')} via ${perAddress.map((s) => s.upstream).join(',')} (Retry-After ${last.retryAfter}); ` +
    `one IP x12 -> 10x200 via ${[...ipInstances].sort().join(',')}, then 429 via ${[...refusedInstances].sort().join(',')}; refused signups wrote no row`
  );
}

type Claim = { id: string; claimedUntil: Date };

async function claimsHeldBy(db: Db, pid: number): Promise<Claim[]> {
  // claimed_by is host:pid:random (the loop) or immediate:host:pid:random (the send after a signup).
  const { rows } = await db.query<Claim>(
    `SELECT id::text AS id, claimed_until AS "claimedUntil" FROM outbox_emails WHERE status = 'SENDING' AND claimed_by LIKE $1`,
    [`%:${pid}:%`],
  );
  return rows;
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
    check(exit.signal === 'SIGKILL', `instance ${victim.name} exited with ${exit.code ?? exit.signal}, expected SIGKILL`);
    heldAtKill = await claimsHeldBy(db, victimPid);
  })();
  const [samples] = await Promise.all([load, killer]);
  fake.setDelay(0);
  const answeredAtKill = samples.filter((s) => s.endedAt <= killedAt).length;

  check(heldAtKill.length > 0, `instance ${victim.name} held no outbox claim when it was killed: nothing to prove`);
  const ok = samples.filter((s) => s.status === 200);
  const lost = samples.filter((s) => s.status !== 200);
  // Only what was in flight at the victim may fail: nginx does not replay a POST it already sent,
  // so the client gets a 502, or a cut connection when the victim died in the middle of its answer
  // (nginx's access log then says where the request went).
  const routed = await upstreamsFromAccessLog(world.nginx!, balancer.nameOf);
  const unexpected = lost.filter((s) => {
    if (s.status === 502) return s.upstream !== victim.name;
    if (s.status === 0) return routed.get(s.id) !== victim.name || s.startedAt > killedAt;
    return true;
  });
  check(
    unexpected.length === 0,
    `${unexpected.length} failures not explained by the killed instance`,
    unexpected.slice(0, 15).map((s) => `${describeSample(s)} (nginx sent it to ${routed.get(s.id) ?? 'nowhere logged'})`),
  );
  const cut = lost.filter((s) => s.status === 0).length;
  const retried = samples.filter((s) => s.tried.length > 1).length;

  const rows = await subscriberEmails(db, `${ADDRESS_MARK}-p3-%`);
  const okMissing = ok.filter((s) => !rows.has(s.email!));
  check(okMissing.length === 0, `${okMissing.length} signups answered 200 have no row`, okMissing.slice(0, 10).map(describeSample));
  const committedDespite502 = lost.filter((s) => rows.has(s.email!)).length;

  // The dead instance's claims come back after the lease and are sent by the others.
  const drainTimeoutMs = LEASE_SECONDS * 1000 + 2 * WORKER_INTERVAL_MS + 30_000;
  const heldIds = heldAtKill.map((claim) => claim.id);
  const drainedAfterMs = await until(
    `the killed instance's ${heldAtKill.length} claims to be sent by the others`,
    drainTimeoutMs,
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
  for (const claim of heldAtKill) {
    const row = resent.find((r) => r.id === claim.id);
    check(row && row.claimedBy === null, `row ${claim.id} still names a claim after being sent`);
    check(
      row.sentAt.getTime() >= claim.claimedUntil.getTime(),
      `row ${claim.id} was sent at ${row.sentAt.toISOString()}, before the dead instance's lease ended (${claim.claimedUntil.toISOString()})`,
    );
  }
  await waitOutboxSettled(db, drainTimeoutMs);
  const mail = await checkOneConfirmationEach(db, fake, 'after SIGKILL');
  const heldRequests = fake.requests().filter((r) => r.path === '/emails' && heldIds.includes(r.headers['idempotency-key'] ?? ''));
  const replayed = Object.values(countBy(heldRequests, (r) => r.headers['idempotency-key']!)).filter((count) => count > 1).length;

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
      check(exit.code === 143, `instance ${instance.name} exited with ${exit.code ?? exit.signal} after SIGTERM, expected 143`, instance.tail());
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
  check(failed.length === 0, `${failed.length} of ${samples.length} requests failed at the balancer during the rolling restart`, failed.slice(0, 20).map(describeSample));
  const byClass = countBy(samples, (s) => `${String(s.status)[0]}xx`);
  const served = countBy(samples, (s) => s.upstream);
  const retried = samples.filter((s) => s.tried.length > 1).length;

  const signups = samples.filter((s) => s.kind === 'signup' && s.status === 200);
  const rows = await subscriberEmails(db, `${ADDRESS_MARK}-p4-%`);
  const missing = signups.filter((s) => !rows.has(s.email!));
  check(missing.length === 0, `${missing.length} signups answered 200 have no row`, missing.slice(0, 10).map(describeSample));
  await waitOutboxSettled(db, LEASE_SECONDS * 1000 + 2 * WORKER_INTERVAL_MS + 30_000);
  const mail = await checkOneConfirmationEach(db, fake, 'after the rolling restart');

  return (
    `${samples.length} requests (${signups.length} signups) during 3 restarts, ${formatCounts(byClass)}, 0 failed; ` +
    `${retried} retried by nginx on a refused connection; served ${formatCounts(served)}; ${restarts.join('; ')}; ` +
    `${mail.subscribers} subscribers, ${mail.deliveries} confirmations, none twice`
  );
}

function checkLogs(): string {
  const leaks = world.instances.flatMap((instance) => instance.leaks);
  check(leaks.length === 0, 'instance log lines contain a test email address', leaks);
  const lines = world.instances.reduce((sum, instance) => sum + instance.lineCount, 0);
  const levels: Record<string, number> = {};
  for (const instance of world.instances) for (const [level, count] of Object.entries(instance.jsonLevels)) levels[level] = (levels[level] ?? 0) + count;
  const json = Object.values(levels).reduce((sum, count) => sum + count, 0);
  return `${lines} instance log lines (${json} JSON: ${formatCounts(levels)}), no test email address in any`;
}

function printSummary(totalMs: number, extra: string): void {
  const width = Math.max(...results.map((row) => row.proof.length));
  console.log('');
  console.log(`fleet-proof summary (3 instances behind nginx, one Postgres; ${seconds(totalMs)})`);
  console.log(`${'proof'.padEnd(width)}  result   evidence`);
  console.log(`${'-'.repeat(width)}  -------  ${'-'.repeat(40)}`);
  for (const row of results) console.log(`${row.proof.padEnd(width)}  ${row.result.padEnd(7)}  ${row.evidence}`);
  if (extra) console.log(extra);
}

async function cleanUp(): Promise<void> {
  world.closing = true;
  for (const instance of world.instances) instance.kill('SIGKILL');
  await Promise.all(world.instances.map((instance) => (instance.exited ? within(instance.exited, 10_000) : undefined)));
  if (world.rotation) await world.rotation.stop();
  if (world.nginx) await stopNginx(world.nginx).catch((err) => console.error(`fleet-proof: stopping nginx: ${(err as Error).message}`));
  if (world.fake) await within(world.fake.close(), 5_000);
  if (world.db) await within(world.db.end(), 5_000).catch(() => {});
  if (world.databaseCreated) {
    await withAdmin(ADMIN_URL, async (client) => {
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [DB_NAME]);
      await client.query(`DROP DATABASE IF EXISTS "${DB_NAME}"`);
    }).catch((err) => console.error(`fleet-proof: could not drop ${DB_NAME}: ${(err as Error).message}`));
  }
  if (world.tmp) await rm(world.tmp, { recursive: true, force: true }).catch(() => {});
}

async function main(): Promise<void> {
  const started = Date.now();
  let failure: unknown;
  let logSummary = '';
  const deadline = new Promise<never>((_, reject) => {
    const timer = setTimeout(() => reject(new ProofError(`the whole run took longer than ${seconds(RUN_DEADLINE_MS)}`)), RUN_DEADLINE_MS);
    timer.unref();
  });
  const proof = (async () => {
    const { balancer, db, fake } = await setUp();
    log(`3 instances ready (${world.instances.map((i) => `${i.name}=${i.address}`).join(' ')}), nginx on 127.0.0.1:${balancer.port} (${seconds(Date.now() - started)})`);
    await phase(0, () => proveSpread(balancer, db, fake));
    await phase(1, () => proveRateLimits(balancer, db));
    await phase(2, () => proveKill(balancer, db, fake));
    await phase(3, () => proveRollingRestart(balancer, db, fake));
    logSummary = `logs: ${checkLogs()}\nbalancer: ${world.rotation!.events.length} upstream changes, ${world.rotation!.flaps()} of them for slow or failing readiness rather than a kill or restart`;
  })();
  try {
    await Promise.race([proof, deadline]);
  } catch (err) {
    failure = err;
    proof.catch(() => {}); // still running after the deadline: its later errors are moot
  }

  if (failure) {
    if (runningPhase && runningPhase.result === 'not run') {
      runningPhase.result = 'FAILED';
      runningPhase.evidence = failure instanceof Error ? failure.message : String(failure);
    }
    console.error(`\nfleet-proof: FAILED: ${failure instanceof Error ? failure.message : String(failure)}`);
    if (failure instanceof ProofError && failure.details.length > 0) console.error(failure.details.map((line) => `  ${line}`).join('\n'));
    else if (failure instanceof Error && !(failure instanceof ProofError)) console.error(failure.stack);
    for (const instance of world.instances) {
      console.error(`--- instance ${instance.name} (last lines) ---\n${instance.tail(15).join('\n')}`);
    }
    if (world.nginx) {
      const errorLog = await readFile(path.join(world.nginx.dir, 'error.log'), 'utf8').catch(() => '');
      console.error(`--- nginx error.log (last lines) ---\n${errorLog.split('\n').slice(-15).join('\n')}`);
    }
  }
  await within(cleanUp(), 60_000);
  printSummary(Date.now() - started, logSummary);
  process.exit(failure ? 1 : 0);
}

// Last resort if this process exits some other way: no instance or nginx outlives it.
process.on('exit', () => {
  for (const instance of world.instances) instance.kill('SIGKILL');
  if (world.nginx && world.nginx.child.exitCode === null) world.nginx.child.kill('SIGTERM');
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`fleet-proof: ${signal}: cleaning up`);
    void within(cleanUp(), 30_000).finally(() => process.exit(1));
  });
}

void main();
