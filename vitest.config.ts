import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  // `@/lib/site` → <root>/lib/site, as tsconfig's paths say; a regex so `@mdx-js/mdx` is left alone.
  resolve: {
    alias: [
      { find: /^@\//, replacement: root },
      // Tests run server code: 'server-only' is the empty module Next gives server bundles.
      { find: /^server-only$/, replacement: `${root}node_modules/server-only/empty.js` },
    ],
  },
  test: {
    environment: 'node',
    include: ['lib/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    // bench/.work holds the bench's copies of the project: their tests are this tree's, again.
    exclude: ['e2e/**', 'node_modules/**', '.next/**', 'bench/.work/**'],
    // A real, random key per run (not the development fallback), so child processes started in
    // production mode by the tests accept it as the parent does.
    env: { NEWSLETTER_SECRET: process.env.NEWSLETTER_SECRET ?? randomBytes(32).toString('base64url') },
  },
});
