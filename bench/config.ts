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
  /** wrk -t threads -c connections, per side per round (bench/serving.ts: 20 sides a round). */
  serving: { connections: number; threads: number; durationSec: number; warmupSec: number; rounds: number };
  lighthouse: { runs: number; pages: 'all' | 'article'; skipIfUnavailable: boolean };
  buildScaling: {
    /** Sizes measured `rounds` times, alternating; then `onceSizes` once each (the slow ones). */
    sizes: number[];
    rounds: number;
    onceSizes: number[];
  };
  signups: { connections: number; durationSec: number; repeatShare: number };
  announce: { subscribers: number; seconds: number };
  /** Rows of the generated export the subscriber import reads (the issue asks for 100,000). */
  import: { rows: number };
  /** Articles per corpus for the search index, and rounds of the query set. */
  search: { articles: number; rounds: number };
};

/** BENCH_BUILD_SIZES=20,120 measures those sizes (each `rounds` times) instead of the mode's own, and no 1,000. */
function buildSizesOverride(): number[] | undefined {
  const sizes = process.env.BENCH_BUILD_SIZES?.split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n >= 2);
  return sizes && sizes.length > 0 ? sizes : undefined;
}

export function configFor(mode: 'full' | 'smoke'): BenchConfig {
  const override = buildSizesOverride();
  const workDir = path.join(BENCH_DIR, '.work', mode);
  if (mode === 'smoke') {
    return {
      mode,
      workDir,
      resultsFile: path.join(BENCH_DIR, 'RESULTS.smoke.md'),
      serving: { connections: 50, threads: 2, durationSec: 1, warmupSec: 1, rounds: 1 },
      lighthouse: { runs: 1, pages: 'article', skipIfUnavailable: true },
      buildScaling: override ? { sizes: override, rounds: 1, onceSizes: [] } : { sizes: [3, 5], rounds: 1, onceSizes: [] },
      signups: { connections: 50, durationSec: 1, repeatShare: 0.3 },
      announce: { subscribers: 2_000, seconds: 3 },
      import: { rows: 2_000 },
      search: { articles: 12, rounds: 2 },
    };
  }
  return {
    mode,
    workDir,
    resultsFile: path.join(BENCH_DIR, 'RESULTS.md'),
    // 20 sides a round (3 pages x app, nginx, cache tier, + the empty page; x 2 encodings): ~9 minutes.
    serving: { connections: 50, threads: 2, durationSec: 5, warmupSec: 2, rounds: 5 },
    lighthouse: { runs: 3, pages: 'all', skipIfUnavailable: false },
    // 10 and 100 twice, alternating (a build's fixed cost dominates them, so noise matters most
    // there); 1,000 once, as it takes minutes on 2 cores (about 3.5 min of wall time on a busy machine, 2026-12-01).
    buildScaling: override
      ? { sizes: override, rounds: Number(process.env.BENCH_BUILD_ROUNDS ?? 1), onceSizes: [] }
      : { sizes: [10, 100], rounds: Number(process.env.BENCH_BUILD_ROUNDS ?? 2), onceSizes: [1000] },
    signups: { connections: 50, durationSec: 10, repeatShare: 0.3 },
    announce: { subscribers: 100_000, seconds: 30 },
    import: { rows: 100_000 },
    search: { articles: 1000, rounds: 20 },
  };
}
