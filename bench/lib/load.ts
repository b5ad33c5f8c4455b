/**
 * HTTP load with autocannon's programmatic API: a Node tool, so CI needs nothing from apt.
 * It runs in this process and shares the machine's 2 cores with the server it measures, which is
 * why every figure is a ratio measured in the same run rather than an absolute to quote.
 */
import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon';

export type LoadResult = {
  rps: number;
  p50: number;
  p99: number;
  completed: number;
  non2xx: number;
  errors: number;
  statusCounts: Record<string, number>;
};

export type LoadOptions = {
  connections: number;
  durationSec: number;
  requests?: AutocannonRequest[];
  /** Fail the measurement when any answer is not 2xx (page serving: every answer must be the page). */
  require2xx?: boolean;
};

export async function load(url: string, options: LoadOptions): Promise<LoadResult> {
  const result: AutocannonResult = await autocannon({
    url,
    connections: options.connections,
    duration: options.durationSec,
    pipelining: 1,
    timeout: 10,
    requests: options.requests,
  });
  const statusCounts = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]));
  const out: LoadResult = {
    // Completed requests over the measured time: autocannon's per-second average drops the last
    // partial second, which matters for 1-second smoke runs.
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    completed: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statusCounts,
  };
  if (out.completed === 0) throw new Error(`no request to ${url} completed (${result.errors} errors, ${result.timeouts} timeouts)`);
  if (options.require2xx && (out.non2xx > 0 || out.errors > 0)) {
    throw new Error(`${url}: ${out.non2xx} non-2xx answers and ${out.errors} errors under load (${JSON.stringify(statusCounts)})`);
  }
  return out;
}
