import { defineConfig } from 'vitest/config';
import unit from './vitest.config.js';

/**
 * The post-build tests (npm run test:postbuild; test:e2e runs them after `next build`): the
 * production build started as the image runs it (e2e/postbuild/*.test.ts). One file at a time,
 * since each starts servers, builds or a fleet on the machine's two cores; long deadlines, since
 * each waits on real processes. The unit run (vitest.config.ts) never picks these up.
 */
export default defineConfig({
  // The unit config's module resolution (`@/…`, 'server-only'), not its files.
  resolve: unit.resolve,
  test: {
    environment: 'node',
    include: ['e2e/postbuild/**/*.test.ts'],
    globalSetup: ['e2e/postbuild/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 3 * 60_000,
    hookTimeout: 3 * 60_000,
  },
});
