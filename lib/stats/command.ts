import { parseArgs } from 'node:util';
import type pg from 'pg';
import { readNewsletterStats } from './figures';
import { formatStats } from './format';

/**
 * `npm run newsletter:stats`: what scripts/newsletter-stats.ts runs, kept here so tests drive it
 * with their own database and streams. Reads only. Exit codes: 0 printed, 2 bad usage.
 */

export const USAGE = `Usage: npm run newsletter:stats -- [options]

Prints how the newsletter is doing: subscribers by status and preference; signups, confirmations and
unsubscribes per day with the confirmation rate; bounces and complaints, with the complaint rate
against the 0.3% ceiling Gmail and Yahoo enforce (flagged as close from 0.1%); each announcement's
emails (queued, waiting, sent, failed, skipped); the outbox's queue and its oldest waiting email.
No address is printed unless --show-addresses is given.

  --json              the same figures as one JSON object, for scripts
  --days <n>          the window in UTC days, today included (default 30, at most 366)
  --announcements <n> how many of the newest announcements to list (default 20)
  --show-addresses    print the recipients of the oldest waiting and the recently failed emails
  -h, --help          this text`;

export type StatsStream = { write(text: string): unknown };

export type StatsCommandOptions = { argv: readonly string[]; pool: pg.Pool; stdout: StatsStream; stderr: StatsStream; now?: () => Date };

function wholeNumber(value: string, name: string, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) throw new UsageError(`--${name} takes a whole number from 1 to ${max}, got "${value}"`);
  return n;
}

class UsageError extends Error {}

export async function runStatsCommand(options: StatsCommandOptions): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: [...options.argv],
      options: {
        json: { type: 'boolean', default: false },
        days: { type: 'string', default: '30' },
        announcements: { type: 'string', default: '20' },
        'show-addresses': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: false,
      strict: true,
    }).values;
    if (values.help) {
      options.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const stats = await readNewsletterStats(options.pool, {
      now: options.now?.(),
      days: wholeNumber(values.days, 'days', 366),
      announcements: wholeNumber(values.announcements, 'announcements', 1000),
      showAddresses: values['show-addresses'],
    });
    options.stdout.write(values.json ? `${JSON.stringify(stats, null, 2)}\n` : formatStats(stats));
    return 0;
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      options.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
}
