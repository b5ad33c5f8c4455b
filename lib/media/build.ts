import fs from 'node:fs/promises';
import path from 'node:path';
import { formatProblem, sortProblems } from '@/lib/content/errors';
import { readContentDirectory } from '@/lib/content/load';
import { cannotDecode, writeImageFiles } from './generate';
import { readSourceImage } from './source-image';
import { planImage, VARIANTS_SALT } from './variants';

export type MediaBuildResult = {
  /** file:line lines, as content:check prints them; nothing was written for a file with a problem. */
  problems: string[];
  images: number;
  written: number;
  kept: number;
  /** Files of images no article shows any more. */
  removed: number;
};

/** public/media under the working directory: what Next serves at /media. */
export function defaultMediaDir(): string {
  return path.join(process.cwd(), 'public', 'media');
}

/**
 * Makes every file the articles' images need (see variants.ts) in `outDir`, and removes the
 * files no image needs any more, so the folder (and the image built from it) holds this build's
 * files only. Articles are read with the loader's own per-file checks: a file with a problem
 * is reported, not processed. Drafts count: `npm run dev` shows them.
 */
export async function buildMedia({
  contentDir,
  outDir = defaultMediaDir(),
  root,
}: {
  contentDir: string;
  outDir?: string;
  root?: string;
}): Promise<MediaBuildResult> {
  const { files, problems } = readContentDirectory(contentDir, { root });
  const wanted = new Set<string>();
  const done = new Set<string>();
  let written = 0;
  let kept = 0;

  for (const article of files) {
    for (const reference of article.images) {
      if (done.has(reference.path)) continue;
      done.add(reference.path);
      const read = readSourceImage(reference.path, VARIANTS_SALT);
      // The loader read the same file a moment ago; this only differs if it changed since.
      if ('problem' in read) {
        problems.push({ file: article.file, line: reference.line, message: `image ${reference.src}: ${read.problem}` });
        continue;
      }
      const plan = planImage(read.image);
      for (const file of plan.files) wanted.add(file.name);
      try {
        const result = await writeImageFiles(read.image, plan, outDir);
        written += result.written.length;
        kept += result.kept;
      } catch (error) {
        problems.push({ file: article.file, line: reference.line, message: `image ${reference.src}: ${cannotDecode(error)}` });
      }
    }
  }

  let removed = 0;
  const present = await fs.readdir(outDir).catch(() => [] as string[]);
  for (const name of present) {
    if (wanted.has(name)) continue;
    await fs.rm(path.join(outDir, name), { recursive: true, force: true });
    removed++;
  }

  return {
    problems: [...new Set(sortProblems(problems).map(formatProblem))],
    images: done.size,
    written,
    kept,
    removed,
  };
}
