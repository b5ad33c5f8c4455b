/**
 * Runs once before the post-build tests (vitest.postbuild.config.ts): they need a production build
 * (`next build`, which npm run test:e2e runs first), completed into what the image ships. Done once
 * here instead of by each test.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { prepareStandalone } from '../../scripts/prepare-standalone.mjs';
import { ROOT, STANDALONE } from './support/standalone';

export default async function setup(): Promise<void> {
  if (!existsSync(path.join(STANDALONE, 'server.js')) || !existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
    throw new Error(`no production build in ${path.join(ROOT, '.next')}: run \`npm run build\` (next build) first`);
  }
  // .next/static, content/, the migrations and migrate.mjs into .next/standalone.
  await prepareStandalone({ root: ROOT, log: () => {} });
}
