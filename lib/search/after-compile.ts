import { spawn } from 'node:child_process';

/**
 * next.config.ts `compiler.runAfterProductionCompile`: builds the search index between compiling
 * and prerendering, so the header's link to it (its version) and /search read the same files.
 * A child process because the index code is TypeScript with ESM-only dependencies, which the
 * config's own loader does not run; tsx is the project's runner for its scripts.
 */
export function buildSearchIndex({
  projectDir,
  distDir,
  env,
}: {
  projectDir: string;
  distDir: string;
  /** The build's environment (next.config.ts reads it); the child runs it as production. */
  env: Record<string, string | undefined>;
}): Promise<void> {
  return new Promise((resolve, reject) => {
    // Node with tsx's loader, not the tsx CLI: that would be a second node process (~50 MB) alive
    // beside this one while the build's memory peaks (Turbopack's compile output is still held).
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', './scripts/lib/server-only.mjs', 'scripts/build-search-index.ts', distDir], {
      cwd: projectDir,
      stdio: 'inherit',
      env: { ...env, NODE_ENV: 'production' },
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`the search index was not built (scripts/build-search-index.ts exited with ${signal ?? code}); see the lines above`)),
    );
  });
}
