import { parseArgs } from 'node:util';
import { ContentError } from '../content/errors';
import { pendingBatchedEmails, type SenderTotals } from '../outbox/batches';
import { defaultWorkerId } from '../outbox/worker-id';
import { sendWithProgress, type SendingCommandOptions } from './send-with-progress';
import { queueWeeklyDigests, type WeeklyDigestResult } from './weekly-digest';

/**
 * `npm run digest`: what scripts/digest.ts runs (tests drive it with their own database, transport
 * and streams). Queues this week's digests (lib/announce/weekly-digest.ts), then sends what is due
 * through the provider's batch endpoint as `npm run announce` does. Run it weekly (the CronJob calls
 * POST /api/digest instead); running it again in the same week queues nothing more.
 * Exit codes: 0 done, 1 something failed, 2 bad usage.
 */

export const DIGEST_USAGE = `Usage: npm run digest -- [options]

Queues one digest email for each subscriber who chose the weekly digest, listing the articles
published since their last one (none when nothing was), then sends them. Once per subscriber per
week (the week starts on Monday, UTC), however often it runs.

  --dry-run             print how many digests would be queued; write and send nothing
  --enqueue-only        queue the digests and leave the sending to the server's outbox worker
  --wait <seconds>      how long to wait for retries before leaving the rest to the outbox worker (default 120)
  --content-dir <dir>   the articles folder (default: ./content)
  -h, --help            this text`;

export type DigestCommandOptions = SendingCommandOptions;

const fmt = (n: number) => n.toLocaleString('en-US');

export function describeDigestPlan(result: WeeklyDigestResult): string[] {
  return [
    ...(result.dryRun ? ['Dry run: nothing is written and nothing is sent.'] : []),
    `Week of ${result.weekOf}: ${fmt(result.weeklySubscribers)} weekly subscribers (paused and suppressed ones excluded), ${fmt(result.recentArticles)} articles published in the last 7 days.`,
    `${result.dryRun ? 'Would queue at most' : 'Queued'}: ${fmt(result.queued)} digest${result.queued === 1 ? '' : 's'}${result.queued === 0 ? ' (nothing new for anyone, or this week is done)' : ''}`,
  ];
}

export async function runDigestCommand(options: DigestCommandOptions): Promise<number> {
  const say = (line: string) => options.stdout.write(`${line}\n`);
  const complain = (line: string) => options.stderr.write(`${line}\n`);
  let args;
  try {
    args = parseArgs({
      args: [...options.argv],
      options: {
        'dry-run': { type: 'boolean', default: false },
        'enqueue-only': { type: 'boolean', default: false },
        wait: { type: 'string', default: '120' },
        'content-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    complain(`${err instanceof Error ? err.message : String(err)}\n\n${DIGEST_USAGE}`);
    return 2;
  }
  if (args.help) {
    say(DIGEST_USAGE);
    return 0;
  }
  const waitSeconds = Number(args.wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0) {
    complain(`--wait: expected a number of seconds, got "${args.wait}"`);
    return 2;
  }
  const now = options.now ?? (() => new Date());
  let plan: WeeklyDigestResult;
  try {
    plan = await queueWeeklyDigests({ db: options.db, now: now(), dryRun: args['dry-run'], contentDir: args['content-dir'] });
  } catch (err) {
    if (err instanceof ContentError) {
      complain(`The content does not validate, so no digest was queued:\n${err.message}`);
      return 1;
    }
    throw err;
  }
  for (const line of describeDigestPlan(plan)) say(line);
  if (plan.dryRun) return 0;

  const pending = (await pendingBatchedEmails(options.db)).pending;
  if (args['enqueue-only'] || !options.transport || pending === 0) {
    if (!options.transport) complain('Email is not configured (RESEND_API_KEY and EMAIL_FROM): the digests stay queued for the outbox worker.');
    say(`Summary: queued ${fmt(plan.queued)}, sent 0; ${fmt(pending)} left for the outbox worker`);
    return options.transport ? 0 : 1;
  }
  const totals = await sendWithProgress({
    transport: options.transport,
    db: options.db,
    workerId: options.workerId ?? `digest:${defaultWorkerId()}`,
    total: pending,
    stderr: options.stderr,
    waitSeconds,
    now,
    secret: options.secret,
    limiter: options.limiter,
    signal: options.signal,
  });
  const left = (await pendingBatchedEmails(options.db)).pending;
  say(`Summary: queued ${fmt(plan.queued)}, sent ${fmt(totals.sent)}, skipped ${fmt(totals.cancelled)}, failed ${fmt(totals.failed)}; ${fmt(left)} left for the outbox worker`);
  if (options.signal?.aborted) return 1;
  return totals.failed > 0 ? 1 : 0;
}
