/**
 * Child processes for tests, checks and benchmarks (servers, nginx, builds, one-off commands),
 * started with execa. What execa does not decide for us, decided once here:
 *   - no SIGKILL of its own 5 s after a SIGTERM (forceKillAfterDelay: false): a server's drain may
 *     take longer, and its exit code after SIGTERM is what some tests assert; stop() escalates;
 *   - `group: true` starts the child in its own process group, so stopping it also stops what it
 *     spawned (nginx's workers, a build's workers), and only ever what we started;
 *   - output is kept as a tail (and handed over line by line when asked), not buffered whole;
 *   - whatever still runs when this process exits is killed (execa's cleanup does it for the
 *     others; groups are killed by the exit hook below).
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { execa, type ResultPromise } from 'execa';

export type Exit = { code: number | null; signal: NodeJS.Signals | null; at: number; error?: string };

export type StartOptions = {
  cwd?: string;
  /** The child's whole environment, as with node's spawn (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Add `env` to this process's environment instead. */
  extendEnv?: boolean;
  /** Its own process group: signals go to the whole group. */
  group?: boolean;
  /** Echo the child's output to our stderr (long builds: show progress). */
  echo?: boolean;
  /** The child writes to our stdout/stderr directly; nothing is kept. */
  inherit?: boolean;
  /** Each line of the child's output (stdout and stderr), as it arrives. */
  onLine?: (line: string) => void;
  /** How much of the output `output()` keeps (the end of it; 0: nothing). Default 64 KiB. */
  keepBytes?: number;
};

export type Child = {
  readonly name: string;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Resolves when the process has exited (never rejects: a failure to spawn is `error`). */
  readonly exited: Promise<Exit>;
  /** The end of stdout+stderr, interleaved. */
  output(): string;
  /** Sends `signal` (to the group when started with `group`); false when it is not running. */
  signal(signal: NodeJS.Signals): boolean;
  /** SIGTERM, SIGKILL after `graceMs`; resolves with the exit. Safe to call twice. */
  stop(graceMs?: number): Promise<Exit>;
};

const running = new Set<Child>();

export function startProcess(name: string, file: string, args: readonly string[], options: StartOptions = {}): Child {
  const group = options.group ?? false;
  const subprocess: ResultPromise = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: options.extendEnv ?? false,
    stdin: 'ignore',
    stdout: options.inherit ? 'inherit' : 'pipe',
    stderr: options.inherit ? 'inherit' : 'pipe',
    buffer: false,
    reject: false,
    forceKillAfterDelay: false,
    detached: group,
    cleanup: !group,
  });
  const keep = options.keepBytes ?? 64 * 1024;
  let tail = '';
  const collect = (chunk: Buffer) => {
    if (keep > 0) tail = (tail + chunk.toString('utf8')).slice(-keep);
    if (options.echo) process.stderr.write(chunk);
  };
  for (const stream of [subprocess.stdout, subprocess.stderr] as (Readable | null)[]) {
    if (!stream) continue;
    stream.on('data', collect);
    if (options.onLine) createInterface({ input: stream, crlfDelay: Infinity }).on('line', options.onLine);
  }

  const exited = new Promise<Exit>((resolve) => {
    subprocess.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
    // Resolves (reject: false) also when the process never started, without an 'exit' event.
    void subprocess.then((result) => {
      const spawnFailed = result.failed && result.exitCode === undefined && !result.signal;
      const signal = (result.signal as NodeJS.Signals | undefined) ?? null;
      resolve({ code: result.exitCode ?? null, signal, at: Date.now(), error: spawnFailed ? result.shortMessage : undefined });
    });
  });

  const send = (signal: NodeJS.Signals): boolean => {
    if (subprocess.pid === undefined || !child.running) return false;
    try {
      if (group) process.kill(-subprocess.pid, signal);
      else subprocess.kill(signal);
      return true;
    } catch {
      return false; // ESRCH: already gone
    }
  };
  let stopping: Promise<Exit> | undefined;
  const child: Child = {
    name,
    get pid() {
      return subprocess.pid;
    },
    get running() {
      return subprocess.pid !== undefined && subprocess.exitCode === null && subprocess.signalCode === null;
    },
    exited,
    output: () => tail,
    signal: send,
    stop(graceMs = 5_000) {
      stopping ??= (async () => {
        send('SIGTERM');
        const timer = setTimeout(() => send('SIGKILL'), graceMs);
        const exit = await exited;
        clearTimeout(timer);
        // The group leader is gone; make sure no worker of it lingers.
        if (group && subprocess.pid !== undefined) killGroup(subprocess.pid);
        return exit;
      })();
      return stopping;
    },
  };
  running.add(child);
  void exited.then(() => running.delete(child));
  return child;
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

export type RunResult = { code: number | null; signal: NodeJS.Signals | null; output: string; timedOut: boolean };

/** Runs a command to its end (killed after `timeoutMs`); never throws for a non-zero exit. */
export async function runProcess(
  name: string,
  file: string,
  args: readonly string[],
  options: StartOptions & { timeoutMs?: number } = {},
): Promise<RunResult> {
  const child = startProcess(name, file, args, { keepBytes: 16 * 1024 * 1024, ...options });
  let timedOut = false;
  const timer = options.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        void child.stop(2_000);
      }, options.timeoutMs)
    : undefined;
  const exit = await child.exited;
  if (timer) clearTimeout(timer);
  if (exit.error) throw new Error(`${name}: ${exit.error}`);
  return { code: exit.code, signal: exit.signal, output: child.output(), timedOut };
}

/** Runs a short command and returns its output; throws with the output when it fails. */
export async function runChecked(name: string, file: string, args: readonly string[], options: StartOptions & { timeoutMs?: number } = {}): Promise<string> {
  const result = await runProcess(name, file, args, options);
  if (result.code !== 0) throw new Error(`${name} failed (exit ${result.code ?? result.signal}):\n${result.output.slice(-4000)}`);
  return result.output;
}

/** Stops every child still running (after a run, on Ctrl-C, after a crash). */
export async function stopAll(graceMs = 2_000): Promise<void> {
  await Promise.all([...running].map((child) => child.stop(graceMs)));
}

// Last resort: nothing we started outlives this process.
process.once('exit', () => {
  for (const child of running) child.signal('SIGKILL');
});
