/**
 * The fleet proof's figures: counting and formatting what the proofs saw, the load generator's
 * pool, and the summary table printed at the end of the run (passed or not).
 */

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** "a:3 b:5", sorted by name. */
export const formatCounts = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => `${name}:${count}`)
    .join(' ');

export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** `work` on every item, `concurrency` at a time (the load generator's lanes); results in item order. */
export async function runPool<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}

export type SummaryRow = { proof: string; result: 'ok' | 'FAILED' | 'not run'; evidence: string };

export function summaryTable(title: string, rows: SummaryRow[], extra: string): string {
  const width = Math.max(...rows.map((row) => row.proof.length));
  return [
    '',
    title,
    `${'proof'.padEnd(width)}  result   evidence`,
    `${'-'.repeat(width)}  -------  ${'-'.repeat(40)}`,
    ...rows.map((row) => `${row.proof.padEnd(width)}  ${row.result.padEnd(7)}  ${row.evidence}`),
    ...(extra ? [extra] : []),
  ].join('\n');
}
