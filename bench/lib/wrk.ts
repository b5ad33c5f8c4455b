/**
 * HTTP load from wrk (Debian's `wrk`, a C load generator) in a process of its own, pinned with
 * taskset to the core the server under test does not use. A load generator inside the bench's own
 * Node process measures itself: it capped nginx at ~500 requests/s where wrk reaches ~23,000 here.
 * Every side of a comparison is measured with the same options (threads, connections, cores).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type WrkOptions = {
  connections: number;
  durationSec: number;
  /** wrk threads; 2 by default (one core, two event loops, as the bench's standard run). */
  threads?: number;
  /** The core list wrk runs on (taskset -c); default: LOAD_CORES. */
  cores?: string;
  headers?: Record<string, string>;
  /** A Lua script (wrk -s): request bodies, per-request headers, status tallies printed by done(). */
  script?: string;
  /** Arguments after `--`, read by the script's init(args). */
  scriptArgs?: string[];
  /** Per-request timeout in seconds (wrk --timeout); default 10. */
  timeoutSec?: number;
};

export type WrkResult = {
  requests: number;
  durationSec: number;
  rps: number;
  /** Latency percentiles in milliseconds (wrk --latency). */
  p50: number;
  p75: number;
  p90: number;
  p99: number;
  non2xx3xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  /** Lines the Lua script printed that parse as JSON objects (its done() summary, say). */
  scriptOutput: Record<string, unknown>[];
  raw: string;
};

/** The two cores of these machines: the server under test on one, the load generator on the other. */
export const SERVER_CORES = '0';
export const LOAD_CORES = '1';

let available: boolean | undefined;

/** Whether wrk and taskset are installed (apt-get install wrk; taskset comes with util-linux). */
export async function wrkAvailable(): Promise<boolean> {
  if (available !== undefined) return available;
  try {
    await run('wrk', ['--version']).catch((err: { stdout?: string; stderr?: string }) => {
      // wrk --version prints its banner ("wrk 4.1.0 …", or "wrk debian/4.1.0-3 …") and exits 1.
      if (!/^wrk \S+/m.test(`${err.stdout ?? ''}${err.stderr ?? ''}`)) throw err;
    });
    await run('taskset', ['--version']);
    available = true;
  } catch {
    available = false;
  }
  return available;
}

const MS_PER_UNIT: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** Rounded to the microsecond, wrk's own precision: 2.03 s is 2030 ms, not 2029.9999999999998. */
function milliseconds(value: string, unit: string): number {
  const factor = MS_PER_UNIT[unit];
  if (factor === undefined) throw new Error(`unknown wrk latency unit "${unit}"`);
  return Math.round(Number(value) * factor * 1000) / 1000;
}

/** Parses wrk's report (with --latency). Exported for its unit test. */
export function parseWrkOutput(raw: string): WrkResult {
  const requestsLine = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(raw);
  if (!requestsLine) throw new Error(`wrk printed no request count:\n${raw}`);
  const percentile = (p: string) => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(raw);
    if (!match) throw new Error(`wrk printed no ${p}% latency (is --latency on?):\n${raw}`);
    return milliseconds(match[1]!, match[2]!);
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(raw);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(raw);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(raw);
  const durationSec = milliseconds(requestsLine[2]!, requestsLine[3]!) / 1000;
  const scriptOutput: Record<string, unknown>[] = [];
  for (const line of raw.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (value && typeof value === 'object' && !Array.isArray(value)) scriptOutput.push(value as Record<string, unknown>);
    } catch {
      // Not a line the script printed for us.
    }
  }
  return {
    requests: Number(requestsLine[1]),
    durationSec,
    rps: rps ? Number(rps[1]) : Number(requestsLine[1]) / durationSec,
    p50: percentile('50'),
    p75: percentile('75'),
    p90: percentile('90'),
    p99: percentile('99'),
    non2xx3xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: socket
      ? { connect: Number(socket[1]), read: Number(socket[2]), write: Number(socket[3]), timeout: Number(socket[4]) }
      : { connect: 0, read: 0, write: 0, timeout: 0 },
    scriptOutput,
    raw,
  };
}

/** Runs wrk against `url`, pinned to `options.cores`, and parses its report. */
export async function wrk(url: string, options: WrkOptions): Promise<WrkResult> {
  const args = [
    '-c',
    options.cores ?? LOAD_CORES,
    'wrk',
    '-t',
    String(options.threads ?? 2),
    '-c',
    String(options.connections),
    '-d',
    `${options.durationSec}s`,
    '--timeout',
    `${options.timeoutSec ?? 10}s`,
    '--latency',
  ];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}: ${value}`);
  if (options.script) args.push('-s', options.script);
  args.push(url);
  if (options.scriptArgs?.length) args.push('--', ...options.scriptArgs);
  const { stdout, stderr } = await run('taskset', args, { maxBuffer: 16 * 1024 * 1024, timeout: (options.durationSec + 60) * 1000 });
  return parseWrkOutput(`${stdout}\n${stderr}`);
}
