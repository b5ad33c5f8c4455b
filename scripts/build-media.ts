/**
 * npm run media [-- <content dir>]               makes public/media from content/ (npm run build runs it first)
 * tsx scripts/build-media.ts --watch -- <cmd…>   the same, then runs <cmd> (npm run dev: next dev) and
 *                                                remakes the files whenever something in content/ changes
 *
 * Every image an article shows becomes AVIF, WebP and a fallback at a few widths in public/media,
 * under content-hashed names (lib/media/variants.ts); files already there are kept, files no
 * article needs any more are removed. A problem (a missing or damaged image, or anything else
 * content:check reports for one file) is printed as file:line and, outside --watch, exits 1 so
 * `npm run build` stops before `next build`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildMedia } from '../lib/media/build';

const args = process.argv.slice(2);
const watch = args[0] === '--watch';
const separator = args.indexOf('--');
const command = separator === -1 ? [] : args.slice(separator + 1);
const dirArgument = watch ? undefined : args[0];
const contentDir = path.resolve(dirArgument ?? 'content');

async function run(): Promise<boolean> {
  const started = performance.now();
  const result = await buildMedia({ contentDir });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  for (const line of result.problems) console.error(line);
  if (!watch || result.written > 0 || result.removed > 0 || result.problems.length > 0) {
    console.log(
      `media: ${result.images} image${result.images === 1 ? '' : 's'}, ${result.written} file${result.written === 1 ? '' : 's'} written, ` +
        `${result.kept} up to date, ${result.removed} removed (${seconds} s)`,
    );
  }
  return result.problems.length === 0;
}

if (!watch) {
  process.exitCode = (await run()) ? 0 : 1;
} else {
  if (command.length === 0) throw new Error('usage: build-media.ts --watch -- <command…>');
  await run();
  // One rebuild at a time; changes during a rebuild schedule one more after it.
  let running: Promise<unknown> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  const rebuild = () => {
    if (running) {
      again = true;
      return;
    }
    running = run()
      .catch((error: unknown) => console.error(`media: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          rebuild();
        }
      });
  };
  const watcher = fs.watch(contentDir, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(rebuild, 200);
  });
  const [program = '', ...rest] = command;
  const child = spawn(program, rest, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    watcher.close();
    clearTimeout(timer);
    process.exit(code ?? 128 + (signal ? os.constants.signals[signal] : 0));
  });
}
