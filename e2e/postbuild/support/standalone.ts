/**
 * The production build as the container image ships it (.next/standalone, completed once by
 * global-setup.ts with scripts/prepare-standalone.mjs), for the post-build tests: copies of it
 * outside the repository, its two commands (`node server.js`, `node migrate.mjs`), and the
 * environment a container has.
 */
import { chmod, cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess, startProcess, type Child, type RunResult, type StartOptions } from '@/testing/processes';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const STANDALONE = path.join(ROOT, '.next', 'standalone');

/** Only what a container would have: no DATABASE_URL or other settings leak in from this shell. */
export function containerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...extra };
}

/**
 * A copy of the standalone output in a temporary folder: nothing resolves from the repository's
 * node_modules (as in the image), and each copy has its own .next/cache (as each pod has its own
 * filesystem). Readable by all: nginx's workers and the servers may run as another user.
 */
export async function copyStandalone(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
  await chmod(dir, 0o755);
  await cp(STANDALONE, dir, { recursive: true });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** `node migrate.mjs` (the migration Job's command) from the folder `dir`. */
export function runMigrate(dir: string, env: NodeJS.ProcessEnv, cwd = os.tmpdir()): Promise<RunResult> {
  return runProcess('migrate.mjs', process.execPath, [path.join(dir, 'migrate.mjs')], { cwd, env, timeoutMs: 120_000 });
}

/** `node server.js` from the folder `dir` (by default started from another working directory: it must find its files by itself). */
export function startServer(name: string, dir: string, env: NodeJS.ProcessEnv, options: Pick<StartOptions, 'cwd' | 'onLine' | 'keepBytes'> = {}): Child {
  return startProcess(name, process.execPath, [path.join(dir, 'server.js')], { cwd: os.tmpdir(), env, ...options });
}

/** The last `count` lines of a process's output. */
export function lastLines(child: Child | undefined, count = 40): string {
  return child ? child.output().split('\n').slice(-count).join('\n') : '';
}
