/**
 * The fleet's balancer: nginx (testing/nginx.ts) running the shipped cache tier configuration in
 * front of the instances, its upstream kept in step with their readiness (Rotation, as a Service
 * does with its endpoints), and the client that sends the test's requests through it and records,
 * for each, which instance answered (Sample).
 */
import { accessLogFlushMs, cacheTierHttp, writeCacheTierIncludes } from '@/testing/cache-tier';
import { startNginx, type Nginx } from '@/testing/nginx';
import { httpRequest, type HttpAnswer } from '@/testing/http';
import { sleep, within } from '@/testing/wait';
import type { Instance } from './instance';

/**
 * nginx's http block: the shipped cache tier (deploy/k8s/cache-tier/cache.conf, testing/cache-tier.ts)
 * with, as its `upstream publication`, round robin over the instances, `down` for those out of
 * rotation. In Kubernetes that upstream is the app's Service; here nginx is both.
 */
function upstreamConfig(dir: string, port: number, instances: Instance[], out: ReadonlySet<string>): string {
  // Round robin (nginx's default) over the instances whose readiness answers 200 (the others are
  // "down": see Rotation). max_fails=0: no instance is benched for a while after one refused
  // connection; such a request is retried on the next instance instead (the shipped
  // proxy_next_upstream).
  const upstream = `  upstream publication {
${instances.map((instance) => `    server ${instance.address} max_fails=0${out.has(instance.name) ? ' down' : ''};`).join('\n')}
  }`;
  return cacheTierHttp(dir, port, upstream);
}

/** The proof's own addition to the shipped server block: which instance answered (none on a hit). */
const FLEET_INCLUDES = { 'fleet.conf': 'add_header X-Upstream $upstream_addr always;\n' };

export function startBalancer(port: number, instances: Instance[]): Promise<Nginx> {
  return startNginx({
    port,
    http: (dir, listen) => upstreamConfig(dir, listen, instances, new Set()),
    prepare: (dir) => writeCacheTierIncludes(dir, FLEET_INCLUDES),
    readyPath: '/api/health/live',
    readyStatus: (status) => status === 200,
  });
}

/**
 * What Kubernetes does for a Service, done for nginx: an instance receives traffic while its
 * readiness (/api/health/ready) answers 200. It is taken out at once when it is going away (503
 * "shutting down" right after SIGTERM, as a terminating pod leaves the endpoints at once; or its
 * port refuses connections: the process is dead), and otherwise after FAILURE_THRESHOLD failed
 * probes in a row (timeout PROBE_TIMEOUT_MS), as deploy/k8s/deployment.yaml's readinessProbe says,
 * so one slow answer on a loaded machine is no reason. Each instance is probed in its own loop,
 * every PROBE_EVERY_MS (Kubernetes' period is seconds; this run is shorter). A change rewrites the
 * upstream with `down` on the instances out and reloads nginx (one reload at a time).
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

export class Rotation {
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
      const answer = await httpRequest(`http://${instance.address}/api/health/ready`, { timeoutMs: PROBE_TIMEOUT_MS });
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
        if (this.out.size >= this.instances.length) {
          const events = this.events.slice(-8).map((e) => `${new Date(e.at).toISOString().slice(11, 23)} ${e.instance} ${e.change}: ${e.reason}`);
          throw new Error(`every instance failed its readiness: nginx would have nowhere to send requests\n${events.join('\n')}`);
        }
        const out = new Set(this.out);
        await this.nginx.reload((dir, port) => upstreamConfig(dir, port, this.instances, out));
      } catch (err) {
        this.failure = err as Error;
      }
    });
    return this.reloads;
  }
}

export type Sample = {
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

export const describeSample = (s: Sample) =>
  `${s.id} ${s.kind} ${s.path}${s.email ? ` ${s.email}` : ''} ip=${s.ip} -> ${s.status || s.error} via ${s.tried.join('>') || '-'} (${s.endedAt - s.startedAt} ms)`;

/** An answer through the tier: `cache` is its X-Cache-Status, `upstream` the instance that answered ('-' on a hit). */
export type Fetched = { id: string; answer: HttpAnswer; cache: string; upstream: string };

/** nginx's list of upstreams: "a, b" when it retried; "a : b" after an internal redirect. */
const upstreamList = (value: string) => value.split(/\s*,\s*|\s+:\s+/).map((address) => address.trim()).filter(Boolean);

/** The test's client: requests through nginx, each from a client IP of its own unless told. */
export class Balancer {
  readonly nameOf = new Map<string, string>();
  private requests = 0;
  private clients = 0;

  constructor(
    readonly nginx: Nginx,
    instances: Instance[],
    private readonly runId: string,
    private readonly timeoutMs: number,
  ) {
    for (const instance of instances) this.nameOf.set(instance.address, instance.name);
  }

  /** A client IP nobody else in this run uses (10.0.0.0/8: private, never routed anywhere; only a header value). */
  nextClientIp(): string {
    this.clients += 1;
    const n = this.clients;
    return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  }

  async request(kind: Sample['kind'], pathname: string, options: { ip?: string; email?: string } = {}): Promise<Sample> {
    const ip = options.ip ?? this.nextClientIp();
    const startedAt = Date.now();
    const sample: Sample = { id: `fp-${this.runId}-${++this.requests}`, kind, path: pathname, email: options.email, ip, status: 0, upstream: '-', tried: [], retryAfter: null, startedAt, endedAt: startedAt };
    try {
      const answer = await httpRequest(`${this.nginx.url}${pathname}`, {
        method: kind === 'signup' ? 'POST' : 'GET',
        headers: {
          'x-request-id': sample.id,
          // The test plays the Ingress in front of the tier: it names the client, the tier
          // appends the Ingress's address, the instances skip both (TRUSTED_PROXY_HOPS=2).
          'x-forwarded-for': ip,
          accept: kind === 'signup' ? 'application/json' : 'text/html, application/xml',
          ...(kind === 'signup' ? { 'content-type': 'application/json' } : {}),
        },
        body: kind === 'signup' ? JSON.stringify({ email: options.email, source: 'fleet-proof' }) : undefined,
        timeoutMs: this.timeoutMs,
      });
      sample.status = answer.status;
      const retryAfter = answer.headers['retry-after'];
      sample.retryAfter = typeof retryAfter === 'string' ? retryAfter : null;
      sample.tried = upstreamList(String(answer.headers['x-upstream'] ?? '')).map((address) => this.nameOf.get(address) ?? address);
      sample.upstream = sample.tried.at(-1) ?? '-';
    } catch (err) {
      sample.error = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    }
    sample.endedAt = Date.now();
    return sample;
  }

  /** One GET (or `method`) through the tier with `headers`, as the cache proof needs it: the whole answer, its cache status and instance. */
  async send(pathname: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<Fetched> {
    const id = `fp-${this.runId}-${++this.requests}`;
    const answer = await httpRequest(`${this.nginx.url}${pathname}`, {
      method,
      headers: { 'x-request-id': id, 'x-forwarded-for': this.nextClientIp(), ...headers },
      body,
      timeoutMs: this.timeoutMs,
    });
    const header = (name: string) => String(answer.headers[name] ?? '');
    const last = upstreamList(header('x-upstream')).at(-1);
    return { id, answer, cache: header('x-cache-status') || '(none)', upstream: last ? (this.nameOf.get(last) ?? last) : '-' };
  }

  signup(email: string, ip?: string): Promise<Sample> {
    return this.request('signup', '/api/newsletter/subscribe', { email, ip });
  }

  /** Which instance nginx last sent each request to, by request id, from its access log. */
  async upstreamsFromAccessLog(): Promise<Map<string, string>> {
    // The tier writes its log in buffers, flushed at most this late: every line so far is in after it.
    await sleep(accessLogFlushMs() + 500);
    const byId = new Map<string, string>();
    for (const line of (await this.nginx.readLog('access.log')).split('\n')) {
      const match = /^(\S+) \d+ upstream=(.*) upstream_status=/.exec(line);
      if (!match) continue;
      const last = upstreamList(match[2]!).at(-1) ?? '';
      byId.set(match[1]!, this.nameOf.get(last) ?? last);
    }
    return byId;
  }
}
