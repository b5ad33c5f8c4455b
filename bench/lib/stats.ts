/** Summaries and formatting shared by every benchmark's table. */

export type Summary = { median: number; min: number; max: number; n: number };

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, n: sorted.length };
}

export function median(values: readonly number[]): number {
  return summarize(values).median;
}

/** "1,234" style with a fixed number of decimals. */
export function num(value: number, decimals = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** "median (min–max)", or just the value for a single round. */
export function spread(s: Summary, decimals = 0, unit = ''): string {
  if (s.n === 0) return 'n/a';
  const m = `${num(s.median, decimals)}${unit}`;
  return s.n === 1 ? `${m} (1 round)` : `${m} (${num(s.min, decimals)}–${num(s.max, decimals)}${unit})`;
}

export function bytes(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) < 1024) return `${value} B`;
  if (Math.abs(value) < 1024 * 1024) return `${(value / 1024).toFixed(1)} KiB`;
  if (Math.abs(value) < 1024 * 1024 * 1024) return `${(value / 1024 / 1024).toFixed(1)} MiB`;
  return `${(value / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

export function seconds(ms: number, decimals = 1): string {
  return `${num(ms / 1000, decimals)} s`;
}

/** A GitHub-flavoured Markdown table; pipes in cells are escaped. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (cell: string) => cell.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const line = (cells: readonly string[]) => `| ${cells.map(esc).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
