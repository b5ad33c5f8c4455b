/**
 * One problem in one content file. `line`/`column` are 1-based positions in the file itself
 * (frontmatter included), so an editor can jump straight to them.
 */
export type ContentProblem = {
  /** Path relative to the project root, e.g. `content/foo.mdx`. */
  file: string;
  line?: number;
  column?: number;
  /** The frontmatter field, e.g. `date` or `tags[1]`, when the problem is in the frontmatter. */
  field?: string;
  /** What is wrong and what was expected. */
  message: string;
};

/** `content/foo.mdx:3 frontmatter "date": expected …` / `content/foo.mdx:42:7 MDX syntax error: …` */
export function formatProblem(problem: ContentProblem): string {
  let where = problem.file;
  if (problem.line !== undefined) {
    where += `:${problem.line}`;
    if (problem.column !== undefined) where += `:${problem.column}`;
  }
  const field = problem.field === undefined ? '' : `frontmatter "${problem.field}": `;
  return `${where} ${field}${problem.message}`;
}

/** Files first, then by position, so the list reads top to bottom like the files do. */
export function sortProblems(problems: readonly ContentProblem[]): ContentProblem[] {
  return [...problems].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}

/**
 * Every problem the content loader or checker finds, thrown at once so one `npm run build`
 * (or `npm run content:check`) shows all of them. `problems` keeps the structured form for tests
 * and tools; `lines` is what a person reads.
 */
export class ContentError extends Error {
  readonly problems: readonly ContentProblem[];
  readonly lines: readonly string[];

  constructor(problems: readonly ContentProblem[]) {
    const sorted = sortProblems(problems);
    const lines = sorted.map(formatProblem);
    super(
      lines.length === 1
        ? (lines[0] ?? '')
        : `${lines.length} problems in content:\n${lines.join('\n')}`,
    );
    this.name = 'ContentError';
    this.problems = sorted;
    this.lines = lines;
  }
}
