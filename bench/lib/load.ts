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
  /** Connection errors and timeouts (autocannon counts a timeout as an error too). */
  errors: number;
  timeouts: number;
  /** Each distinct error message, with its count. */
  errorKinds: Record<string, number>;
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
  const errorKinds: Record<string, number> = {};
  const instance = autocannon({
    url,
    connections: options.connections,
    duration: options.durationSec,
    pipelining: 1,
    timeout: 10,
    requests: options.requests,
  });
  instance.on('reqError', (error) => {
    const kind = (error as NodeJS.ErrnoException).code ?? error.message;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  });
  const result: AutocannonResult = await instance;
  const statusCounts = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]));
  const out: LoadResult = {
    // Completed requests over the measured time: autocannon's per-second average drops the last
    // partial second, which matters for 1-second smoke runs.
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    completed: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    errorKinds,
    statusCounts,
  };
  if (out.completed === 0) throw new Error(`no request to ${url} completed (${result.errors} errors, ${result.timeouts} timeouts)`);
  // Every answer must be the page. A few connection errors on a loaded 2-core machine are
  // reported (see errorSummary), not fatal; more than 1% means the figure is not worth reading.
  if (options.require2xx && (out.non2xx > 0 || out.errors > out.completed / 100)) {
    throw new Error(`${url}: ${out.non2xx} non-2xx answers and ${out.errors} errors under load (${JSON.stringify(statusCounts)}, ${errorSummary([out])})`);
  }
  return out;
}

/** "none", or "3 (ECONNRESET: 2, request timed out: 1)" over several runs. */
export function errorSummary(results: readonly LoadResult[]): string {
  const kinds: Record<string, number> = {};
  let total = 0;
  for (const r of results) {
    total += r.errors;
    for (const [kind, n] of Object.entries(r.errorKinds)) kinds[kind] = (kinds[kind] ?? 0) + n;
  }
  if (total === 0) return 'none';
  return `${total} (${Object.entries(kinds).map(([kind, n]) => `${kind}: ${n}`).join(', ')})`;
}
