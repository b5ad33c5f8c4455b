import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Command-line scripts (tsx) do not get Next.js's .env loading. Call this before importing
 * anything that reads lib/env.ts (it parses the environment once, on first import), which is why it
 * lives apart from lib/env.ts. Variables already in the environment win, as in Next.js, and
 * .env.local is read before .env so it takes precedence over it.
 */
export function loadDotEnvFiles(cwd: string = process.cwd()): string[] {
  const loaded: string[] = [];
  for (const file of ['.env.local', '.env']) {
    const full = path.join(cwd, file);
    if (existsSync(full)) {
      process.loadEnvFile(full);
      loaded.push(file);
    }
  }
  return loaded;
}
