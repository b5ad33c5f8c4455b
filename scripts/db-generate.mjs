#!/usr/bin/env node
// Generates the Prisma client (lib/generated/prisma) with no network access.
//
// `prisma generate` first tries to download the native schema-engine binary, which it never runs
// when generating. Pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing executable skips that
// download. Plain Node (not tsx) because it runs as `postinstall`, where devDependencies may be
// absent (a production-only install).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

let prismaCli;
try {
  prismaCli = require.resolve('prisma/build/index.js', { paths: [root] });
} catch {
  console.warn('db-generate: the prisma package is not installed; skipping client generation.');
  process.exit(0);
}

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
// No update checks or telemetry calls: the network is closed here, and that would only add delay.
env.CHECKPOINT_DISABLE ??= '1';
env.PRISMA_HIDE_UPDATE_MESSAGE ??= '1';

const result = spawnSync(process.execPath, [prismaCli, 'generate', ...process.argv.slice(2)], {
  cwd: root,
  env,
  stdio: 'inherit',
});
if (result.error) throw result.error;
process.exit(result.status ?? 1);
