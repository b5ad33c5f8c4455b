/**
 * Child processes for the bench: servers (nginx, the Next.js server, the fake email API) and
 * builds. Every child is started in its own process group, so stopping it also stops whatever it
 * spawned (a build's workers, nginx's workers), and only ever what we started. Peak memory is
 * sampled from /proc across that whole group: GNU time's "Maximum resident set size" reports the
 * largest single process only, which for `next build` (a parent plus worker processes) understates
 * what the machine must have free.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const PAGE_SIZE = 4096; // bytes per page in /proc/<pid>/stat's rss field on x86-64 and arm64 Linux
const OUTPUT_TAIL = 64 * 1024;

const running = new Set<Running>();

export type Running = {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code (or null when killed by a signal). */
  exited: Promise<number | null>;
  /** The last 64 KiB of stdout+stderr, for error messages. */
  output(): string;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
};

export type StartOptions = {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Echo the child's output to our stderr (long builds: show progress). */
  echo?: boolean;
};

export function start(name: string, command: string, args: string[], options: StartOptions = {}): Running {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: see the file comment
  });
  let tail = '';
  const collect = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    if (options.echo) process.stderr.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
  let stopping: Promise<void> | undefined;
  const handle: Running = {
    name,
    child,
    exited,
    output: () => tail,
    stop(graceMs = 5_000) {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        signalGroup(child, 'SIGTERM');
        const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
        await exited.catch(() => null);
        clearTimeout(timer);
        // The group leader is gone; make sure no worker of it lingers.
        signalGroup(child, 'SIGKILL');
      })();
      return stopping.finally(() => running.delete(handle));
    },
  };
  running.add(handle);
  void exited.then(
    () => running.delete(handle),
    () => running.delete(handle),
  );
  return handle;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Stops every child still running (on exit, Ctrl-C, or after a crash). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((r) => r.stop(2_000)));
}

process.once('exit', () => {
  for (const r of running) signalGroup(r.child, 'SIGKILL');
});

export type Measured = {
  code: number | null;
  wallMs: number;
  /** Highest sum of RSS over the process group seen by the sampler. */
  peakGroupRssBytes: number;
  /** Highest RSS of any single process in the group. */
  peakProcessRssBytes: number;
  output: string;
};

/**
 * Runs a command to completion, timing it and sampling the process group's memory every
 * `sampleMs`. Never throws for a non-zero exit: the caller decides (and has the output).
 */
export async function runMeasured(
  name: string,
  command: string,
  args: string[],
  options: StartOptions & { sampleMs?: number; timeoutMs?: number } = {},
): Promise<Measured> {
  const startedAt = performance.now();
  const r = start(name, command, args, options);
  const pgid = r.child.pid!;
  let peakGroup = 0;
  let peakProcess = 0;
  const sample = () => {
    const { total, largest } = groupRss(pgid);
    peakGroup = Math.max(peakGroup, total);
    peakProcess = Math.max(peakProcess, largest);
  };
  const sampler = setInterval(sample, options.sampleMs ?? 250);
  const timeout = options.timeoutMs ? setTimeout(() => void r.stop(), options.timeoutMs) : undefined;
  let code: number | null;
  try {
    code = await r.exited;
  } finally {
    clearInterval(sampler);
    if (timeout) clearTimeout(timeout);
    await r.stop();
  }
  return {
    code,
    wallMs: performance.now() - startedAt,
    peakGroupRssBytes: peakGroup,
    peakProcessRssBytes: peakProcess,
    output: r.output(),
  };
}

/** Runs a short command and returns its output; throws with the output when it fails. */
export async function runChecked(name: string, command: string, args: string[], options: StartOptions = {}): Promise<string> {
  const r = start(name, command, args, options);
  const code = await r.exited;
  if (code !== 0) throw new Error(`${name} failed (exit ${code}):\n${r.output().slice(-4000)}`);
  return r.output();
}

/** RSS of every process whose process group is `pgid`, from /proc/<pid>/stat. */
function groupRss(pgid: number): { total: number; largest: number } {
  let total = 0;
  let largest = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited between readdir and read
    }
    // Fields after the command name (which may contain spaces and parentheses): state is field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const group = Number(fields[2]); // field 5: pgrp
    if (group !== pgid) continue;
    const rss = Number(fields[21]) * PAGE_SIZE; // field 24: rss in pages
    total += rss;
    largest = Math.max(largest, rss);
  }
  return { total, largest };
}

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released for the server to take). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers with a status below 500, or throws after `timeoutMs`. */
export async function waitForHttp(url: string, r: Running | undefined, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (r && (r.child.exitCode !== null || r.child.signalCode !== null)) {
      throw new Error(`${r.name} exited (${r.child.exitCode ?? r.child.signalCode}) before answering ${url}:\n${r.output().slice(-4000)}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status < 500) return;
      last = `status ${response.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s (${last})${r ? `:\n${r.output().slice(-4000)}` : ''}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
