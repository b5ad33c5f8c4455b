/**
 * Progress for `npm run announce`: on a terminal, one line rewritten in place (`\r`) at most ten
 * times a second; anywhere else (CI logs, a pipe), a plain line every 10% or every 5 seconds, so a
 * log is readable and not flooded. Hand-written: a counter is a few lines, not worth a dependency.
 */

export type ProgressCounts = { sent: number; cancelled: number; failed: number; retried: number; rateLimited: number };

export type ProgressStream = { write(chunk: string): unknown; isTTY?: boolean };

export type Progress = {
  update(counts: ProgressCounts): void;
  /** Ends the line on a terminal (and prints the final state elsewhere). */
  done(counts: ProgressCounts): void;
};

const fmt = (n: number) => n.toLocaleString('en-US');

export function describeProgress(total: number, counts: ProgressCounts, elapsedMs: number): string {
  const finished = counts.sent + counts.cancelled + counts.failed;
  const pct = total > 0 ? Math.min(100, Math.floor((finished / total) * 100)) : 100;
  const rate = elapsedMs > 0 ? Math.round(counts.sent / (elapsedMs / 1000)) : 0;
  const extras = [
    counts.cancelled ? `${fmt(counts.cancelled)} skipped` : '',
    counts.failed ? `${fmt(counts.failed)} failed` : '',
    counts.rateLimited ? `${fmt(counts.rateLimited)}× rate limited` : '',
  ].filter(Boolean);
  return `sending: ${fmt(counts.sent)} / ${fmt(total)} sent (${pct}%), ${fmt(rate)}/s${extras.length ? `, ${extras.join(', ')}` : ''}`;
}

export function createProgress(
  stream: ProgressStream,
  total: number,
  options: { now?: () => number; tty?: boolean } = {},
): Progress {
  const now = options.now ?? Date.now;
  const tty = options.tty ?? stream.isTTY === true;
  const started = now();
  let lastWrite = 0;
  let lastDecile = -1;
  let width = 0;

  const render = (counts: ProgressCounts) => describeProgress(total, counts, now() - started);
  const writeTty = (line: string) => {
    // Pad over the previous line's tail when this one is shorter.
    stream.write(`\r${line}${' '.repeat(Math.max(0, width - line.length))}`);
    width = line.length;
  };

  return {
    update(counts) {
      const t = now();
      if (tty) {
        if (t - lastWrite < 100) return;
        lastWrite = t;
        writeTty(render(counts));
        return;
      }
      const finished = counts.sent + counts.cancelled + counts.failed;
      const decile = total > 0 ? Math.floor((finished / total) * 10) : 10;
      if (decile > lastDecile || t - lastWrite >= 5_000) {
        lastDecile = decile;
        lastWrite = t;
        stream.write(`${render(counts)}\n`);
      }
    },
    done(counts) {
      if (tty) {
        writeTty(render(counts));
        stream.write('\n');
      } else {
        stream.write(`${render(counts)}\n`);
      }
    },
  };
}
