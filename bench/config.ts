/**
 * The two sizes of the harness. The full run is for people (long, several rounds); the smoke run
 * is for CI (every code path once, tiny sizes), so the harness cannot rot unnoticed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.dirname(BENCH_DIR);

export type BenchConfig = {
  mode: 'full' | 'smoke';
  /** Where copies of the project are built: never the repo's own .next, which others use. */
  workDir: string;
  resultsFile: string;
  serving: { connections: number; durationSec: number; warmupSec: number; rounds: number };
  lighthouse: { runs: number; pages: 'all' | 'article'; skipIfUnavailable: boolean };
  buildScaling: {
    /** Sizes measured `rounds` times, alternating; then `onceSizes` once each (the slow ones). */
    sizes: number[];
    rounds: number;
    onceSizes: number[];
  };
  signups: { connections: number; durationSec: number; repeatShare: number };
  announce: { subscribers: number; seconds: number };
  /** Articles per corpus for the search index, and rounds of the query set. */
  search: { articles: number; rounds: number };
};

export function configFor(mode: 'full' | 'smoke'): BenchConfig {
  const workDir = path.join(BENCH_DIR, '.work', mode);
  if (mode === 'smoke') {
    return {
      mode,
      workDir,
      resultsFile: path.join(BENCH_DIR, 'RESULTS.smoke.md'),
      serving: { connections: 50, durationSec: 1, warmupSec: 1, rounds: 1 },
      lighthouse: { runs: 1, pages: 'article', skipIfUnavailable: true },
      buildScaling: { sizes: [3, 5], rounds: 1, onceSizes: [] },
      signups: { connections: 50, durationSec: 1, repeatShare: 0.3 },
      announce: { subscribers: 2_000, seconds: 3 },
      search: { articles: 12, rounds: 2 },
    };
  }
  return {
    mode,
    workDir,
    resultsFile: path.join(BENCH_DIR, 'RESULTS.md'),
    serving: { connections: 50, durationSec: 10, warmupSec: 3, rounds: 5 },
    lighthouse: { runs: 3, pages: 'all', skipIfUnavailable: false },
    // 10 and 100 twice, alternating (a build's fixed cost dominates them, so noise matters most
    // there); 1,000 once, as it takes many minutes on 2 cores.
    buildScaling: { sizes: [10, 100], rounds: Number(process.env.BENCH_BUILD_ROUNDS ?? 2), onceSizes: [1000] },
    signups: { connections: 50, durationSec: 10, repeatShare: 0.3 },
    announce: { subscribers: 100_000, seconds: 30 },
    search: { articles: 1000, rounds: 20 },
  };
}
