/**
 * The shipped cache tier configuration (deploy/k8s/cache-tier/cache.conf) for nginx started by
 * testing/nginx.ts: the file as it ships, with only what is the sandbox's own moved (the port it
 * listens on, its cache and log folders), plus an `upstream publication` for its misses and
 * files for its `include cache-tier.d/*.conf`. Used by the fleet proof and the serving bench, so
 * both run the configuration the deploy runs.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CACHE_TIER_CONF = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'deploy', 'k8s', 'cache-tier', 'cache.conf');

/** What the shipped file names that only a deployment has; each must appear, so a change to the file cannot slip past unmoved. */
const SANDBOXED = [
  { what: 'listen', pattern: /^(\s*)listen 8080;$/m, count: 1 },
  { what: 'cache folder', pattern: /\/var\/cache\/nginx\//g, count: 1 },
  { what: 'log folder', pattern: /\/var\/log\/nginx\//g, count: 1 },
] as const;

/** The http-block text: `upstream` (an `upstream publication { ... }` block) and the shipped file, moved into `dir` and onto 127.0.0.1:`port`. */
export function cacheTierHttp(dir: string, port: number, upstream: string): string {
  let text = readFileSync(CACHE_TIER_CONF, 'utf8');
  for (const { what, pattern, count } of SANDBOXED) {
    const found = text.match(new RegExp(pattern.source, 'gm'))?.length ?? 0;
    if (found !== count) throw new Error(`${CACHE_TIER_CONF}: expected ${count} ${what} line(s) to move into the sandbox, found ${found}`);
  }
  text = text
    .replace(SANDBOXED[0].pattern, `$1listen 127.0.0.1:${port};`)
    .replace(SANDBOXED[1].pattern, `${path.join(dir, 'cache')}/`)
    .replace(SANDBOXED[2].pattern, `${dir}/`);
  return `${upstream}\n${text}`;
}

/** Writes `files` (name -> nginx directives) into `dir`/cache-tier.d/, where the shipped server block includes them. */
export async function writeCacheTierIncludes(dir: string, files: Record<string, string>): Promise<void> {
  const folder = path.join(dir, 'cache-tier.d');
  await mkdir(folder, { recursive: true, mode: 0o755 });
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(folder, name), text, { mode: 0o644 });
  // nginx's workers (nobody) create the cache's subfolders.
  await mkdir(path.join(dir, 'cache'), { recursive: true, mode: 0o777 });
}

/** How long the shipped file keeps a page fresh (its server-level proxy_cache_valid): a rollout shows within this. */
export function pageFreshSeconds(): number {
  const match = /^  proxy_cache_valid 200 (\d+)s;$/m.exec(readFileSync(CACHE_TIER_CONF, 'utf8'));
  if (!match) throw new Error(`${CACHE_TIER_CONF}: no server-level "proxy_cache_valid 200 <n>s;"`);
  return Number(match[1]);
}

/** How late the shipped file's access log may be (its `flush=`): a reader of the log waits this long first. */
export function accessLogFlushMs(): number {
  const match = /^access_log \S+ cache_tier(?: buffer=\S+)?(?: flush=(\d+)s)?;$/m.exec(readFileSync(CACHE_TIER_CONF, 'utf8'));
  if (!match) throw new Error(`${CACHE_TIER_CONF}: no "access_log <file> cache_tier [buffer=<size>] [flush=<n>s];"`);
  return Number(match[1] ?? 0) * 1000;
}
