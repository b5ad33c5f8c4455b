import type { NewsletterStats } from './figures';

/** The stats as text for a terminal: aligned columns, numbers right-aligned, rates as percentages. */

const count = (n: number) => n.toLocaleString('en-US');
const percent = (value: number | null, digits = 1) => (value === null ? '–' : `${(value * 100).toFixed(digits)}%`);

/** Columns padded to their widest cell; `right` marks the right-aligned ones (numbers). */
export function table(header: string[], rows: string[][], right: boolean[], indent = '  '): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    indent + cells.map((cell, i) => (right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/** "3h 12m", "45s", "2d 4h": an age for a person. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

const PREFERENCE_LABELS: Record<string, string> = { EVERY_ARTICLE: 'every article', WEEKLY: 'weekly digest', PAUSED: 'paused' };
const preferenceLabel = (value: string) => PREFERENCE_LABELS[value] ?? value.toLowerCase().replace(/_/g, ' ');

const COMPLAINT_NOTES = {
  ok: 'ok',
  close: 'CLOSE to the ceiling',
  over: 'OVER the ceiling',
  'no-sends': 'no emails sent',
} as const;

export function formatStats(stats: NewsletterStats): string {
  const out: string[] = [];
  const { window, subscribers, totals, deliverability: d, announcements, outbox } = stats;
  out.push(`Newsletter stats, ${stats.generatedAt.slice(0, 16).replace('T', ' ')} UTC (last ${window.days} days: ${window.from} to ${window.to}, UTC days)`);

  out.push('', `Subscribers: ${count(subscribers.total)}`);
  out.push(
    ...table(
      ['status', 'preference', 'count'],
      subscribers.byStatusAndPreference.map((row) => [row.status.toLowerCase(), preferenceLabel(row.preference), count(row.count)]),
      [false, false, true],
    ),
  );

  out.push('', `Signups, confirmations and unsubscribes per day`);
  out.push(
    ...table(
      ['day', 'signups', 'confirmations', 'unsubscribes', 'confirmed of signups'],
      [
        ...stats.daily.map((day) => [day.day, count(day.signups), count(day.confirmations), count(day.unsubscribes), percent(day.confirmationRate)]),
        ['total', count(totals.signups), count(totals.confirmations), count(totals.unsubscribes), percent(totals.confirmationRate)],
      ],
      [false, true, true, true, true],
    ),
  );
  out.push('  (confirmed of signups: of that day\'s signups, how many have confirmed; links last 48 hours, so the last two days may still rise)');

  out.push('', `Bounces and complaints (last ${window.days} days)`);
  out.push(
    ...table(
      ['', 'count', 'rate', ''],
      [
        ['emails sent', count(d.sent), '', ''],
        ['bounces', count(d.bounces), percent(d.bounceRate, 2), `${count(d.hardBounces)} hard (suppressed)`],
        [
          'complaints',
          count(d.complaints),
          percent(d.complaintRate, 3),
          `${COMPLAINT_NOTES[d.complaintLevel]}: ceiling ${percent(d.complaintCeiling)} (Gmail, Yahoo), close from ${percent(d.complaintCloseAt)}`,
        ],
      ],
      [false, true, true, false],
    ),
  );
  out.push(`  suppressed addresses (all time): ${count(d.suppressions.BOUNCE)} bounce, ${count(d.suppressions.COMPLAINT)} complaint, ${count(d.suppressions.MANUAL)} manual`);

  out.push('', `Announcements: ${count(announcements.total)}${announcements.total > announcements.shown.length ? ` (newest ${announcements.shown.length} shown)` : ''}`);
  if (announcements.shown.length > 0) {
    out.push(
      ...table(
        ['article', 'kind', 'status', 'queued', 'waiting', 'sent', 'failed', 'skipped'],
        announcements.shown.map((a) => [
          a.slug,
          a.kind.toLowerCase(),
          a.backfilled ? 'backfilled' : a.status.toLowerCase(),
          count(a.queued),
          count(a.waiting),
          count(a.sent),
          count(a.failed),
          count(a.skipped),
        ]),
        [false, false, false, true, true, true, true, true],
      ),
    );
    out.push('  (skipped: unsubscribed, suppressed or deleted before the send; backfilled: marked as announced without sending)');
  }

  out.push('', 'Outbox');
  out.push(`  waiting: ${count(outbox.waiting)} (due now ${count(outbox.dueNow)}, sending ${count(outbox.sending)}, the rest waiting for a retry)`);
  if (outbox.byKind.length > 0) out.push(`  by kind: ${outbox.byKind.map((row) => `${row.kind.toLowerCase()} ${count(row.waiting)}`).join(', ')}`);
  if (outbox.oldest) {
    const o = outbox.oldest;
    out.push(`  oldest waiting: ${o.kind.toLowerCase()} ${o.id}${o.to ? ` to ${o.to}` : ''}, queued ${duration(o.ageSeconds)} ago, ${count(o.attempts)} attempts, ${o.nextAttemptAt <= stats.generatedAt ? 'due now' : `next try ${o.nextAttemptAt.slice(0, 19).replace('T', ' ')} UTC`}`);
    if (o.lastError) out.push(`    last error: ${o.lastError}`);
  } else {
    out.push('  oldest waiting: none');
  }
  out.push(`  failed in the last ${window.days} days: ${count(outbox.failedInWindow)}`);
  for (const failure of outbox.recentFailures) {
    out.push(`    ${failure.createdAt.slice(0, 16).replace('T', ' ')}  ${failure.kind.toLowerCase()} ${failure.id}${failure.to ? ` to ${failure.to}` : ''}: ${failure.lastError ?? 'no error recorded'}`);
  }
  return `${out.join('\n')}\n`;
}
