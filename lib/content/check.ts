import { compile } from '@mdx-js/mdx';
import { VFile } from 'vfile';
import { decodeProblem } from '@/lib/media/generate';
import { readSourceImage } from '@/lib/media/source-image';
import { VARIANTS_SALT } from '@/lib/media/variants';
import { markdownSyntax } from '@/lib/mdx/syntax';
import { type ContentProblem, formatProblem, sortProblems } from './errors';
import { checkReferences, defaultContentDir, readContentDirectory, utcDay } from './load';
import { mdxProblem } from './mdx';

export type CheckResult = {
  /** One formatted line per problem, in file order; empty when the content is fine. */
  problems: string[];
  counts: { total: number; published: number; drafts: number; scheduled: number };
  /** "3 articles OK (2 published, 1 drafts, 0 scheduled)" when there are no problems. */
  summary: string;
};

/**
 * What CI and editors run before a build (`npm run content:check`): the loader's checks with
 * production visibility (a published article may not point at a draft or a scheduled one), on
 * every file including drafts and scheduled ones, plus a full MDX compile of each body, which
 * catches what only the compiler sees, and a full decode of each image, which catches a damaged
 * file whose header looks fine (the build's image step would fail on it).
 */
export async function checkContent({
  dir = defaultContentDir(),
  root,
  now = new Date(),
}: { dir?: string; root?: string; now?: Date } = {}): Promise<CheckResult> {
  const today = utcDay(now);
  const { files, problems } = readContentDirectory(dir, { root, today });
  problems.push(...checkReferences(files, (article) => article.status === 'published'));

  const compiled = await Promise.all(
    files
      .filter((file) => file.bodyParsed)
      .map(async (file): Promise<ContentProblem | undefined> => {
        try {
          await compile(new VFile({ path: file.file, value: file.body }), { remarkPlugins: markdownSyntax });
          return undefined;
        } catch (error) {
          return mdxProblem(error, { file: file.file, lineOffset: file.bodyLineOffset, kind: 'compile' });
        }
      }),
  );
  for (const problem of compiled) if (problem) problems.push(problem);

  for (const file of files) {
    for (const image of file.images) {
      const read = readSourceImage(image.path, VARIANTS_SALT);
      const problem = 'image' in read ? await decodeProblem(read.image) : undefined;
      if (problem !== undefined) problems.push({ file: file.file, line: image.line, message: `image ${image.src}: ${problem}` });
    }
  }

  const articles = files.flatMap((file) => (file.article ? [file.article] : []));
  const counts = {
    total: files.length,
    published: articles.filter((a) => a.status === 'published').length,
    drafts: articles.filter((a) => a.status === 'draft').length,
    scheduled: articles.filter((a) => a.status === 'scheduled').length,
  };
  const lines = [...new Set(sortProblems(problems).map(formatProblem))];
  return {
    problems: lines,
    counts,
    summary: `${counts.total} articles OK (${counts.published} published, ${counts.drafts} drafts, ${counts.scheduled} scheduled)`,
  };
}
