/**
 * Debian's nginx as our child, for tests and benchmarks: in the foreground (daemon off) in its own
 * process group, with its own prefix, pid file, logs and temp paths in a temporary folder, so it
 * needs nothing from /etc/nginx or /var; checked with `nginx -t` before it starts, reloadable with
 * a new configuration, and stopped (with its workers) and its folder removed after.
 *
 *   const nginx = await startNginx({ http: (dir) => `server { listen 127.0.0.1:${port}; ... }`, port, readyPath: '/' });
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { waitForHttp } from './http';
import { freePort } from './ports';
import { runProcess, startProcess, type Child } from './processes';
import { until } from './wait';

const TEMP_PATHS = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'] as const;

/** The nginx binary (Debian's /usr/sbin/nginx, or one on PATH); throws saying how to install it. */
export function nginxBinary(): string {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) if (existsSync(candidate)) return candidate;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'nginx'))) return path.join(dir, 'nginx');
  }
  throw new Error('nginx is not installed (Debian: apt-get install -y nginx; .ci/run installs it)');
}

export type NginxOptions = {
  /** What goes inside `http { }` (servers, upstreams, log formats), given nginx's folder and port. */
  http: (dir: string, port: number) => string;
  /** The port its server listens on (default: a free one), known to `http`. */
  port?: number;
  /** Polled until it answers `readyStatus` (default: any status below 500). */
  readyPath: string;
  readyStatus?: (status: number) => boolean;
  /** worker_processes (default 1). */
  workers?: number | 'auto';
  /** Runs before nginx starts (to put files it serves into its folder). */
  prepare?: (dir: string) => Promise<void>;
  /** Pins nginx (master and workers) to these cores with taskset -c (benchmarks). */
  cores?: string;
};

export type Nginx = {
  port: number;
  url: string;
  dir: string;
  /** The whole configuration file as last written. */
  config: string;
  process: Child;
  /** Writes the configuration with a new `http` block and reloads (SIGHUP); resolves once a new worker runs. */
  reload(http: (dir: string, port: number) => string): Promise<void>;
  readLog(name: 'access.log' | 'error.log'): Promise<string>;
  stop(): Promise<void>;
};

function configFile(dir: string, workers: number | 'auto', http: string): string {
  return `# Written by testing/nginx.ts; removed after the run.
daemon off;
master_process on;
worker_processes ${workers};
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
${TEMP_PATHS.map((name) => `  ${name}_temp_path ${path.join(dir, 'temp', name)};`).join('\n')}
${http}
}
`;
}

export async function startNginx(options: NginxOptions): Promise<Nginx> {
  const binary = nginxBinary();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nginx-'));
  // Started as root, nginx's workers run as nobody: they must read this folder and may need to
  // write request bodies into the temp paths.
  await chmod(dir, 0o755);
  for (const name of TEMP_PATHS) {
    await mkdir(path.join(dir, 'temp', name), { recursive: true });
    await chmod(path.join(dir, 'temp', name), 0o777);
  }
  const port = options.port ?? (await freePort());
  const workers = options.workers ?? 1;
  const file = path.join(dir, 'nginx.conf');
  const args = ['-p', dir, '-c', file, '-e', path.join(dir, 'error.log')];
  let config = configFile(dir, workers, options.http(dir, port));
  let child: Child | undefined;
  try {
    await options.prepare?.(dir);
    await writeFile(file, config);
    const test = await runProcess('nginx -t', binary, ['-t', ...args], { timeoutMs: 10_000 });
    if (test.code !== 0) throw new Error(`nginx -t rejected the configuration:\n${test.output}\n${config}`);
    // taskset execs nginx: the child's pid is still nginx's master.
    child = options.cores
      ? startProcess('nginx', 'taskset', ['-c', options.cores, binary, ...args], { group: true })
      : startProcess('nginx', binary, args, { group: true });
    await waitForHttp(`http://127.0.0.1:${port}${options.readyPath}`, {
      process: child,
      timeoutMs: 15_000,
      accept: options.readyStatus ?? ((status) => status < 500),
    });
  } catch (err) {
    await child?.stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const master = child;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    dir,
    get config() {
      return config;
    },
    process: master,
    async reload(http) {
      config = configFile(dir, workers, http(dir, port));
      await writeFile(file, config);
      const pid = master.pid!;
      const before = await childPids(pid);
      if (!master.signal('SIGHUP')) throw new Error(`nginx is not running (${master.output().slice(-2000)})`);
      await until('nginx to reload its configuration', 10_000, async () => (await childPids(pid)).some((worker) => !before.includes(worker)), 20);
    },
    readLog: (name) => readFile(path.join(dir, name), 'utf8').catch(() => ''),
    async stop() {
      await master.stop(5_000); // SIGTERM: nginx's fast shutdown; then the whole group
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A process's children (nginx's workers), read from /proc. */
async function childPids(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
