import { parseArgs } from 'node:util';
import { ContentError } from '../content/errors';
import { announceNewArticles, DIGEST_THRESHOLD, type AnnounceResult } from './enqueue';
import { ArticleNotAnnounceableError } from './errors';
import { sendWithProgress, type SendingCommandOptions } from './send-with-progress';
import { pendingBatchedEmails, type SenderTotals } from '../outbox/batches';
import { defaultWorkerId } from '../outbox/worker-id';

/**
 * `npm run announce`: what scripts/announce.ts runs, kept here so tests drive it with their own
 * database, transport and streams. Queues the emails about new articles (lib/announce/enqueue.ts),
 * then sends every announcement email that is due (this run's and any a crashed run left), with a
 * progress line, and ends with a summary. Exit codes: 0 done, 1 something failed, 2 bad usage.
 */

export const USAGE = `Usage: npm run announce -- [options]

Queues one email per confirmed subscriber about each newly published article (one digest when more
than ${DIGEST_THRESHOLD} are new), then sends them through the provider's batch endpoint.

  --dry-run             print the articles and the number of recipients; write and send nothing
  --article <slug>      announce this one article only (also one the first run marked as announced)
  --enqueue-only        queue the emails and leave the sending to the server's outbox worker
  --wait <seconds>      how long to wait for retries (rate limits, provider errors) before leaving
                        the rest to the outbox worker (default 120)
  --content-dir <dir>   the articles folder (default: ./content)
  -h, --help            this text`;

export type AnnounceCommandOptions = SendingCommandOptions;

const fmt = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`) => `${fmt(n)} ${n === 1 ? one : many}`;

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      'dry-run': { type: 'boolean', default: false },
      article: { type: 'string' },
      'enqueue-only': { type: 'boolean', default: false },
      wait: { type: 'string', default: '120' },
      'content-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
    strict: true,
  }).values;
}

export function describePlan(result: AnnounceResult): string[] {
  const lines: string[] = [];
  if (result.dryRun) lines.push('Dry run: nothing is written and nothing is sent.');
  if (result.firstRun) {
    lines.push(
      result.dryRun
        ? `First run: announcements are not switched on yet. The ${plural(result.backfilled.length, 'article')} already published would be marked as announced without sending:`
        : `First run: announcements are now switched on. The ${plural(result.backfilled.length, 'article')} already published ${result.backfilled.length === 1 ? 'was' : 'were'} marked as announced without sending:`,
    );
    for (const slug of result.backfilled) lines.push(`  - ${slug}`);
    if (result.backfilled.length > 0) lines.push('  (send one of them anyway: npm run announce -- --article <slug>)');
  }
  for (const slug of result.alreadyAnnounced) lines.push(`"${slug}" was announced before: nothing to do (every subscriber gets it once).`);
  if (result.articles.length === 0) {
    if (result.alreadyAnnounced.length === 0) lines.push('No new articles to announce.');
    return lines;
  }
  lines.push(`${result.dryRun ? 'Would announce' : 'Announcing'} ${plural(result.articles.length, 'new article')}:`);
  for (const article of result.articles) lines.push(`  - ${article.slug}: ${article.title}`);
  lines.push(`Recipients: ${plural(result.recipients, 'confirmed subscriber')} (suppressed addresses excluded)`);
  lines.push(
    result.mode === 'digest'
      ? `One digest email per subscriber listing them (more than ${DIGEST_THRESHOLD} new articles in one run).`
      : 'One email per subscriber per article.',
  );
  lines.push(`${result.dryRun ? 'Would queue' : 'Queued'}: ${plural(result.queued, 'email')}`);
  return lines;
}

export async function runAnnounceCommand(options: AnnounceCommandOptions): Promise<number> {
  const say = (line: string) => options.stdout.write(`${line}\n`);
  const complain = (line: string) => options.stderr.write(`${line}\n`);

  let args: ReturnType<typeof parse>;
  try {
    args = parse(options.argv);
  } catch (err) {
    complain(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    say(USAGE);
    return 0;
  }
  const waitSeconds = Number(args.wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0) {
    complain(`--wait: expected a number of seconds, got "${args.wait}"`);
    return 2;
  }

  const now = options.now ?? (() => new Date());
  let plan: AnnounceResult;
  try {
    plan = await announceNewArticles({
      db: options.db,
      now: now(),
      article: args.article,
      dryRun: args['dry-run'],
      contentDir: args['content-dir'],
    });
  } catch (err) {
    if (err instanceof ArticleNotAnnounceableError) {
      complain(`Cannot announce: ${err.message}.`);
      return 2;
    }
    if (err instanceof ContentError) {
      complain(`The content does not validate, so nothing was announced:\n${err.message}`);
      return 1;
    }
    throw err;
  }
  for (const line of describePlan(plan)) say(line);
  if (plan.dryRun) return 0;

  const summary = (totals: Pick<SenderTotals, 'sent' | 'cancelled' | 'failed'>, left: number, others = 0) =>
    `Summary: queued ${fmt(plan.queued)}, sent ${fmt(totals.sent)}, skipped ${fmt(totals.cancelled)}, failed ${fmt(totals.failed)}` +
    (others > 0 ? `, sent by other workers ${fmt(others)}` : '') +
    (left > 0 ? `; ${plural(left, 'email')} left for the outbox worker` : '');

  const pendingBefore = (await pendingBatchedEmails(options.db)).pending;
  if (args['enqueue-only'] || !options.transport) {
    if (!options.transport) complain('Email is not configured (RESEND_API_KEY and EMAIL_FROM): the emails stay queued for the outbox worker.');
    say(summary({ sent: 0, cancelled: 0, failed: 0 }, pendingBefore));
    return options.transport ? 0 : 1;
  }
  if (pendingBefore === 0) {
    say(summary({ sent: 0, cancelled: 0, failed: 0 }, 0));
    return 0;
  }
  if (pendingBefore > plan.queued) say(`Also sending ${plural(pendingBefore - plan.queued, 'email')} queued earlier and not sent yet.`);

  const totals = await sendWithProgress({
    transport: options.transport,
    db: options.db,
    workerId: options.workerId ?? `announce:${defaultWorkerId()}`,
    total: pendingBefore,
    stderr: options.stderr,
    waitSeconds,
    now,
    secret: options.secret,
    limiter: options.limiter,
    signal: options.signal,
  });
  const left = (await pendingBatchedEmails(options.db)).pending;
  const others = Math.max(0, pendingBefore - left - totals.sent - totals.cancelled - totals.failed);
  say(summary(totals, left, others));
  if (options.signal?.aborted) return 1;
  return totals.failed > 0 ? 1 : 0;
}
