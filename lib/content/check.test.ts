import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { checkContent } from './check';

const fixtures = path.resolve('test/fixtures/content');
const now = new Date('2026-03-15T12:00:00Z');

describe('checkContent', () => {
  it('summarises valid content with counts per status', async () => {
    const result = await checkContent({ dir: path.join(fixtures, 'valid'), now });
    expect(result.problems).toEqual([]);
    expect(result.counts).toEqual({ total: 5, published: 3, drafts: 1, scheduled: 1 });
    expect(result.summary).toBe('5 articles OK (3 published, 1 drafts, 1 scheduled)');
  });

  it('applies production rules even when run by an editor in development', async () => {
    const result = await checkContent({ dir: path.join(fixtures, 'broken/links-to-hidden'), now });
    expect(result.problems).toHaveLength(2);
    expect(result.problems[0]).toContain('"secret" is a draft');
  });

  it('catches errors only the MDX compiler sees, at the file line', async () => {
    const file = 'test/fixtures/content/broken/compile-only/compile-only.mdx';
    const result = await checkContent({ dir: path.join(fixtures, 'broken/compile-only'), now });
    expect(result.problems).toEqual([
      `${file}:13 export statements are not allowed in articles: components come from the shared MDX components map`,
      `${file}:15 export statements are not allowed in articles: components come from the shared MDX components map`,
      `${file}:15:1 MDX compile error: Unexpected duplicate layout, expected a single layout (previous: 13:1-13:31)`,
    ]);
  });

  it('checks drafts too: a broken draft fails the check', async () => {
    const result = await checkContent({ dir: path.join(fixtures, 'broken/many-problems'), now });
    expect(result.problems).toHaveLength(4);
  });
});

describe('npm run content:check', () => {
  const run = promisify(execFile);
  const script = path.resolve('scripts/content-check.ts');
  const tsx = path.resolve('node_modules/.bin/tsx');
  // As npm run content:check does (package.json): scripts are server code (scripts/lib/server-only.mjs).
  const SERVER_SIDE = ['--import', path.resolve('scripts/lib/server-only.mjs')];

  it('prints the summary and exits 0 when the content is valid', async () => {
    const { stdout } = await run(tsx, [...SERVER_SIDE, script, path.join(fixtures, 'valid')]);
    // the fixtures' scheduled article is dated 2026-04-01, so count it either way
    expect(stdout).toMatch(/^5 articles OK \(\d published, 1 drafts, \d scheduled\)\n$/);
  });

  it('prints each problem on its own line and exits 1', async () => {
    const failure = await run(tsx, [...SERVER_SIDE, script, path.join(fixtures, 'broken/many-problems')]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    const lines = failure?.stderr.trim().split('\n') ?? [];
    expect(lines.slice(0, 4).map((line) => line.split(' ')[0])).toEqual([
      'test/fixtures/content/broken/many-problems/a-first.mdx:4',
      'test/fixtures/content/broken/many-problems/a-first.mdx:13',
      'test/fixtures/content/broken/many-problems/b-second.mdx:9',
      'test/fixtures/content/broken/many-problems/b-second.mdx:14:2',
    ]);
    expect(lines.at(-1)).toBe('4 problems in 2 articles');
  });
});
