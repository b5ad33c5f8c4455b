import { describe, expect, it } from 'vitest';
import { parseWrkOutput } from './wrk';

const REPORT = `Running 3s test @ http://127.0.0.1:18080/index.html
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.84ms    3.10ms  48.62ms   90.12%
    Req/Sec    17.81k     2.01k   21.35k    71.67%
  Latency Distribution
     50%  815.00us
     75%    1.95ms
     90%    5.15ms
     99%    1.61s
  106643 requests in 3.01s, 24.71MB read
  Socket errors: connect 0, read 2, write 0, timeout 7
  Non-2xx or 3xx responses: 12
Requests/sec:  35434.03
Transfer/sec:      8.21MB
{"status":{"200":106631,"429":12}}
`;

describe('parseWrkOutput', () => {
  it('reads the rate, the latency percentiles in ms, errors and the JSON lines a script printed', () => {
    const result = parseWrkOutput(REPORT);
    expect(result).toMatchObject({
      requests: 106643,
      durationSec: 3.01,
      rps: 35434.03,
      p50: 0.815,
      p75: 1.95,
      p90: 5.15,
      p99: 1610,
      non2xx3xx: 12,
      socketErrors: { connect: 0, read: 2, write: 0, timeout: 7 },
      scriptOutput: [{ status: { 200: 106631, 429: 12 } }],
    });
  });

  it('keeps latencies to wrk precision, without floating-point tails', () => {
    const result = parseWrkOutput(REPORT.replace('99%    1.61s', '99%    2.03s'));
    expect(result.p99).toBe(2030);
  });

  it('refuses a report without its latency distribution', () => {
    expect(() => parseWrkOutput('10 requests in 1.00s, 1KB read\nRequests/sec: 10')).toThrow(/--latency/);
  });
});
