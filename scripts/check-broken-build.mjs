#!/usr/bin/env node
// node scripts/check-broken-build.mjs        (about a minute: one real `next build`)
//
// Proves that a broken article stops a real production build with a message an editor can act
// on, not only the loader's unit tests: copies the project (tracked and new files, the generated
// Prisma client; node_modules hard-linked) to a temporary folder, drops one broken MDX file into
// its content/, runs `next build` there, and checks that the build
//   - exits non-zero,
//   - names the broken file with its line (content/<file>.mdx:<line>),
//   - and says what is wrong (here: a `related` slug that no article has, an <iframe>, which
//     the article HTML allow-list refuses, and an image whose file is missing).
// The other kinds of broken content are covered, without a build each, by
// test/reliability/build-errors.test.ts, through the same loader call the build makes.
// Exits 1 with the build's output on failure. Bounded: the build is killed after 6 minutes.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
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
const IFRAME_LINE = 17; // the <iframe> line: the HTML allow-list stops the build too
const IMAGE_LINE = 19; // an image whose file is not there: the image rules stop it too

function copyProject(to) {
  // What git would ship (tracked files and new, unignored ones, as they are on disk now) ...
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const from = path.join(root, file);
    if (!existsSync(from)) continue; // deleted in the working tree
    mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    cpSync(from, path.join(to, file));
  }
  // ... plus the generated Prisma client (gitignored, made by postinstall) ...
  cpSync(path.join(root, 'lib', 'generated'), path.join(to, 'lib', 'generated'), { recursive: true });
  // ... and node_modules hard-linked: instant, no disk, and real files inside the project root,
  // which Turbopack insists on (a symlink pointing out of the project is refused).
  execFileSync('cp', ['-al', path.join(root, 'node_modules'), path.join(to, 'node_modules')]);
}

function build(cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(cwd, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
      cwd,
      env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

async function main() {
  const started = Date.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'broken-build-'));
  try {
    copyProject(dir);
    writeFileSync(path.join(dir, 'content', `${SLUG}.mdx`), BROKEN);
    const { code, signal, output } = await build(dir);
    // Plain text: Next colours its output when it thinks it has a terminal.
    const text = output.replace(/\u001b\[[0-9;]*m/g, '');
    const problems = [];
    if (signal) problems.push(`the build was killed (${signal}) after ${BUILD_TIMEOUT_MS / 1000} s`);
    else if (code === 0) problems.push('the build succeeded with a broken article in content/');
    const where = `content/${SLUG}.mdx:${EXPECTED_LINE}`;
    if (!text.includes(where)) problems.push(`the output does not name the file and line "${where}"`);
    if (!text.includes(`frontmatter "related[0]": no article with slug "${MISSING}"`)) problems.push('the output does not say what is wrong');
    if (!text.includes(`content/${SLUG}.mdx:${IFRAME_LINE} <iframe> elements are not allowed in articles`)) {
      problems.push(`the output does not name the <iframe> at line ${IFRAME_LINE}`);
    }
    if (!text.includes(`content/${SLUG}.mdx:${IMAGE_LINE} image ./${SLUG}/lag.png: no such file (looked for content/${SLUG}/lag.png)`)) {
      problems.push(`the output does not name the missing image at line ${IMAGE_LINE}`);
    }
    if (problems.length > 0) {
      console.error(`check-broken-build: FAILED: ${problems.join('; ')}\n--- next build output ---\n${text.split('\n').slice(-60).join('\n')}`);
      process.exitCode = 1;
      return;
    }
    const line = text.split('\n').find((l) => l.includes(where))?.trim();
    console.log(`check-broken-build: ok (next build exited ${code} in ${Math.round((Date.now() - started) / 1000)} s: "${line}")`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`check-broken-build: FAILED: ${err.stack ?? err.message}`);
  process.exit(1);
});
