import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** Rules of the code's shape that a reviewer would otherwise have to remember. */

const ROOT = path.resolve('.');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'generated' && entry.name !== 'node_modules') out.push(...sourceFiles(relative));
    } else if (/\.(?:ts|tsx|mjs)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) {
      out.push(relative);
    }
  }
  return out;
}

describe('configuration', () => {
  it('is read from process.env in lib/env.ts only', () => {
    // Allowed elsewhere, with the reason:
    const allowed: Record<string, RegExp> = {
      // Next's own compile-time switches: replaced in each bundle, so the edge bundle drops the Node branch.
      'instrumentation.ts': /process\.env\.(NEXT_RUNTIME|NEXT_PHASE)\b/,
      // Prisma's CLI reads its own config file; the app never loads it.
      'prisma.config.ts': /process\.env\.DATABASE_URL\b/,
      // The build's config validates the same schema at build time (lib/env.ts is server-only, the config is not a server module).
      'next.config.ts': /parseEnv\(process\.env\)/,
    };
    const offenders: string[] = [];
    const files = ['app', 'components', 'emails', 'lib', 'scripts'].flatMap(sourceFiles).concat(['instrumentation.ts', 'proxy.ts', 'next.config.ts', 'prisma.config.ts']);
    for (const file of files) {
      if (file === path.join('lib', 'env.ts')) continue;
      readFileSync(path.join(ROOT, file), 'utf8')
        .split('\n')
        .forEach((line, index) => {
          if (!/process\.env\b/.test(line) || /^\s*(\/\/|\*)/.test(line)) return;
          // Handing the environment to a child process, or finding its binaries on PATH, is not app configuration.
          if (/\.\.\.process\.env\b|env: process\.env\b|process\.env\.PATH\b/.test(line)) return;
          if (allowed[file]?.test(line)) return;
          offenders.push(`${file}:${index + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  it('modules that hold secrets or the database import server-only, so a client component importing them fails the build', () => {
    for (const file of ['lib/env.ts', 'lib/db.ts', 'lib/health.ts', 'lib/email/index.ts', 'lib/newsletter/config.ts', 'lib/newsletter/service-context.ts', 'lib/newsletter/tokens.ts']) {
      expect(readFileSync(path.join(ROOT, file), 'utf8'), file).toMatch(/^import 'server-only';$/m);
    }
  });
});
