import type { BenchConfig } from './config';
import type { AppServer } from './lib/workspace';

/** What run.ts hands every benchmark. */
export type BenchContext = {
  config: BenchConfig;
  /** The project's copy at HEAD, built (bench/.work/<mode>/app). */
  appDir: string;
  /** The same Next.js with only an empty page, built the same way (bench/.work/<mode>/empty). */
  emptyDir: string;
  /** The project's production server, started once for the page benchmarks. */
  server: AppServer;
  log(line: string): void;
};

/** The reference article the design asks us to reproduce. */
export const REFERENCE_SLUG = 'understanding-distributed-systems';

/**
 * Thrown by a benchmark that cannot run here for a reason outside the project (no browser, no
 * database server): reported as skipped with the reason, not as a crash.
 */
export class BenchSkipped extends Error {}

/**
 * Thrown by a benchmark whose measurement itself showed a failure (a build that did not finish):
 * the body with what was measured is still written, and the run exits non-zero.
 */
export class BenchFailedWithResults extends Error {
  constructor(
    message: string,
    readonly body: string,
  ) {
    super(message);
  }
}
