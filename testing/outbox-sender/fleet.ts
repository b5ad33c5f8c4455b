/**
 * Starts `count` sender processes (cli.ts) against one database and one fake Resend API and waits
 * for them; then reads what the fake saw: the accepted batch requests' arrival times, the 429s and
 * duplicate deliveries. Shared by the shared-pacing test and bench/announce.ts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess } from '../processes';
import type { connectFakeResend } from '../fake-resend/server';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export type SenderFleetOptions = {
  count: number;
  databaseUrl: string;
  resendUrl: string;
  apiKey: string;
  secret: string;
  /** How long each sender runs at most. */
  seconds: number;
  fake: ReturnType<typeof connectFakeResend>;
  /** Extra environment for the senders (e.g. OUTBOX_PACING_MARGIN_PERCENT). */
  env?: Record<string, string>;
};

export type SenderFleetResult = {
  /** Accepted batch requests (status 200), in arrival order, with the sender that made them. */
  accepted: { at: number; key: string }[];
  rateLimited: number;
  deliveries: number;
  duplicates: number;
  /** Accepted requests per second between the first and the last accepted arrival. */
  requestsPerSecond: number;
  /**
   * The same once every sender has made its first request (from the arrival after the `count` first ones):
   * a process's first request leaves late (a new connection, cold code), and the pacer spends a
   * one-off cold-start gap on it; a fleet sending for minutes does not see those.
   */
  steadyRequestsPerSecond: number;
  /**
   * The most accepted requests the fake saw inside one second, by its own rule: at each arrival,
   * that request and the earlier ones less than 1000 ms before it (what its 429 window counts).
   */
  maxInOneSecond: number;
  /** Emails accepted per second over the same span (the last request's emails counted too). */
  emailsPerSecond: number;
  /** Arrival of each batch request relative to the first, with its status (for failure messages). */
  timeline: string;
  /** Per sender: its totals line. */
  senders: { name: string; requests: number; sent: number; rateLimited: number }[];
  outputs: string[];
};

export async function runSenderFleet(options: SenderFleetOptions): Promise<SenderFleetResult> {
  const tsx = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
  const children = Array.from({ length: options.count }, (_, i) =>
    startProcess(
      `sender ${i + 1}`,
      process.execPath,
      [
        '--import', tsx, '--import', './scripts/lib/server-only.mjs', 'testing/outbox-sender/cli.ts',
        '--database-url', options.databaseUrl, '--resend-url', options.resendUrl, '--api-key', options.apiKey,
        '--secret', options.secret, '--seconds', String(options.seconds), '--name', `sender-${i + 1}`,
      ],
      { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production', ...options.env } },
    ),
  );
  const exits = await Promise.all(children.map((child) => child.exited));
  const outputs = children.map((child) => child.output());
  exits.forEach((exit, i) => {
    if (exit.code !== 0) throw new Error(`sender ${i + 1} exited with ${exit.code ?? exit.signal}:\n${outputs[i]}`);
  });
  const senders = outputs.map((output) => {
    const line = /SENDER_TOTALS=(\{.*\})/.exec(output)?.[1];
    if (!line) throw new Error(`a sender printed no totals:\n${output}`);
    return JSON.parse(line) as SenderFleetResult['senders'][number];
  });

  const requests = (await options.fake.requests()).filter((r) => r.path === '/emails/batch');
  const accepted = requests
    .filter((r) => r.status === 200)
    .map((r) => ({ at: r.receivedAt, key: String(r.headers['idempotency-key'] ?? '') }))
    .sort((a, b) => a.at - b.at);
  const deliveries = await options.fake.deliveries();
  const seen = new Map<string, number>();
  for (const d of deliveries) seen.set(`${d.to.join(',')}|${d.subject}`, (seen.get(`${d.to.join(',')}|${d.subject}`) ?? 0) + 1);
  const spanMs = accepted.length > 1 ? accepted.at(-1)!.at - accepted[0]!.at : 0;
  const requestsPerSecond = spanMs > 0 ? ((accepted.length - 1) * 1000) / spanMs : 0;
  const steady = accepted.slice(options.count);
  const steadySpanMs = steady.length > 1 ? steady.at(-1)!.at - steady[0]!.at : 0;
  const steadyRequestsPerSecond = steadySpanMs > 0 ? ((steady.length - 1) * 1000) / steadySpanMs : 0;
  let maxInOneSecond = 0;
  for (let i = 0, first = 0; i < accepted.length; i += 1) {
    while (accepted[i]!.at - accepted[first]!.at >= 1000) first += 1;
    maxInOneSecond = Math.max(maxInOneSecond, i - first + 1);
  }
  const perRequest = accepted.length > 0 ? deliveries.length / accepted.length : 0;
  return {
    accepted,
    rateLimited: requests.filter((r) => r.status === 429).length,
    timeline: requests
      .slice()
      .sort((a, b) => a.receivedAt - b.receivedAt)
      .map((r) => `${r.receivedAt - (requests[0]?.receivedAt ?? 0)}${r.status === 200 ? '' : `(${r.status})`}`)
      .join(' '),
    deliveries: deliveries.length,
    duplicates: [...seen.values()].filter((n) => n > 1).length,
    requestsPerSecond,
    steadyRequestsPerSecond,
    maxInOneSecond,
    emailsPerSecond: requestsPerSecond * perRequest,
    senders,
    outputs,
  };
}
