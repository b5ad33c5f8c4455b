/**
 * A broken article stops a real production build with a message an editor can act on, not only
 * the loader's unit tests: copies the project (tracked and new files, the generated Prisma client;
 * node_modules hard-linked) to a temporary folder, drops one broken MDX file into its content/,
 * runs `next build` there (about a minute; killed after 6), and checks what the build says (a
 * `related` slug that no article has, an <iframe>, which the article HTML allow-list refuses, and
 * an image whose file is missing).
 * The other kinds of broken content are covered, without a build each, by
 * test/reliability/build-errors.test.ts, through the same loader call the build makes.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { runProcess, type RunResult } from '@/testing/processes';
import { ROOT } from './support/standalone';

const BUILD_TIMEOUT_MS = 6 * 60_000;
const SLUG = 'broken-build-check';
const MISSING = 'no-such-article-anywhere';

const BROKEN = `---
title: "An article that must not build"
description: "Points at an article that does not exist."
date: 2026-01-05
author: Test Author
tags: [reliability]
takeaways:
  - "A dead reference stops the build."
related:
  - ${MISSING}
---

## Section

Some prose.

<iframe src="https://example.com/embed" />

![Replication lag over one day](./${SLUG}/lag.png)
`;
const EXPECTED_LINE = 10; // the "- no-such-article-anywhere" line above
const IFRAME_LINE = 17; // the <iframe> line: the article HTML allow-list stops the build too
const IMAGE_LINE = 19; // an image whose file is not there: the image rules stop it too
const WHERE = `content/${SLUG}.mdx:${EXPECTED_LINE}`;

function copyProject(to: string): void {
  // What git would ship (tracked files and new, unignored ones, as they are on disk now) ...
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const from = path.join(ROOT, file);
    if (!existsSync(from)) continue; // deleted in the working tree
    mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    cpSync(from, path.join(to, file));
  }
  // ... plus the generated Prisma client (gitignored, made by postinstall) ...
  cpSync(path.join(ROOT, 'lib', 'generated'), path.join(to, 'lib', 'generated'), { recursive: true });
  // ... and node_modules hard-linked: instant, no disk, and real files inside the project root,
  // which Turbopack insists on (a symlink pointing out of the project is refused).
  execFileSync('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(to, 'node_modules')]);
}

let dir: string;
let build: RunResult;
let text: string;
let seconds: number;

beforeAll(async () => {
  const started = Date.now();
  dir = mkdtempSync(path.join(os.tmpdir(), 'broken-build-'));
  copyProject(dir);
  writeFileSync(path.join(dir, 'content', `${SLUG}.mdx`), BROKEN);
  build = await runProcess('next build', process.execPath, [path.join(dir, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
    cwd: dir,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    group: true, // the build's workers go with it when it is killed
    timeoutMs: BUILD_TIMEOUT_MS,
  });
  seconds = Math.round((Date.now() - started) / 1000);
  // Plain text: Next colours its output when it thinks it has a terminal.
  text = build.output.replace(/\u001b\[[0-9;]*m/g, '');
}, BUILD_TIMEOUT_MS + 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  const line = text?.split('\n').find((l) => l.includes(WHERE))?.trim();
  if (line) console.log(`broken-build: next build exited ${build.code} in ${seconds} s: "${line}"`);
});

describe('next build with a broken article in content/', () => {
  const showOutput = () => onTestFailed(() => console.error(`--- next build output (last lines) ---\n${text.split('\n').slice(-60).join('\n')}`));

  it('fails (exits non-zero, within the time allowed)', () => {
    showOutput();
    expect(build.timedOut, `the build was killed after ${BUILD_TIMEOUT_MS / 1000} s`).toBe(false);
    expect(build.code, 'the build succeeded with a broken article in content/').not.toBe(0);
  });

  it('names the broken file with its line', () => {
    showOutput();
    expect(text.includes(WHERE), `the output does not name the file and line "${WHERE}"`).toBe(true);
  });

  it('says what is wrong: a related slug no article has', () => {
    showOutput();
    expect(text.includes(`frontmatter "related[0]": no article with slug "${MISSING}"`), 'the output does not say what is wrong').toBe(true);
  });

  it('names the <iframe>, which the article HTML allow-list refuses, with its line', () => {
    showOutput();
    const expected = `content/${SLUG}.mdx:${IFRAME_LINE} <iframe> elements are not allowed in articles`;
    expect(text.includes(expected), `the output does not name the <iframe> at line ${IFRAME_LINE}`).toBe(true);
  });

  it('names the missing image with its line and where it was looked for', () => {
    showOutput();
    const expected = `content/${SLUG}.mdx:${IMAGE_LINE} image ./${SLUG}/lag.png: no such file (looked for content/${SLUG}/lag.png)`;
    expect(text.includes(expected), `the output does not name the missing image at line ${IMAGE_LINE}`).toBe(true);
  });
});
