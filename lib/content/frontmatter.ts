import matter from 'gray-matter';
import type { ZodError } from 'zod';
import type { ContentProblem } from './errors';
import { type Frontmatter, frontmatterKeys, frontmatterSchema } from './schema';

/** Starts every placeholder `npm run new:article` writes; a published article must not keep one. */
export const PLACEHOLDER_PREFIX = 'TODO:';
export const PLACEHOLDER_TAG = 'todo';

export type ParsedFrontmatter = {
  /** Undefined when the frontmatter has problems. */
  data: Frontmatter | undefined;
  /** The MDX body, as gray-matter returns it. */
  body: string;
  /** Lines before the body's first line: body line n is file line n + bodyLineOffset. */
  bodyLineOffset: number;
  problems: ContentProblem[];
};

// What each field must look like, in an editor's words, for zod's generic type messages.
const FIELD_EXPECTATIONS: Record<string, string> = {
  title: 'a non-empty title',
  description: 'a one-line description',
  date: 'an ISO date such as 2026-03-10',
  updated: 'an ISO date such as 2026-03-10',
  author: "the author's name",
  tags: 'a list of lowercase slugs such as [distributed-systems, consensus]',
  takeaways: 'a list of one-line takeaways',
  related: 'a list of article slugs such as [zero-downtime-deployments]',
  next: 'an article slug such as "zero-downtime-deployments"',
  draft: 'true or false',
};

export function parseFrontmatter(raw: string, file: string): ParsedFrontmatter {
  const lines = raw.split(/\r?\n/);
  const problems: ContentProblem[] = [];

  if (!/^---\s*$/.test(lines[0] ?? '')) {
    return {
      data: undefined,
      body: raw,
      bodyLineOffset: 0,
      problems: [
        {
          file,
          line: 1,
          message: 'expected frontmatter at the top of the file: a line "---", the fields (title: …), and a closing "---"',
        },
      ],
    };
  }

  // An opening "---" that is never closed: YAML would read the whole article as frontmatter and
  // report some confusing error deep in the body. Say what is actually wrong.
  if (closingLine(lines) === lines.length) {
    return {
      data: undefined,
      body: '',
      bodyLineOffset: 0,
      problems: [{ file, line: 1, message: 'frontmatter is never closed: expected a line "---" after the last field' }],
    };
  }

  let parsed: matter.GrayMatterFile<string>;
  try {
    // The empty options object is deliberate: without options gray-matter caches by content and
    // caches *before* parsing, so after a YAML error the same text parses "successfully" as {}
    // the second time (the editor saw "title is missing" instead of the YAML error on the next
    // load in the same process). With options it parses every time.
    parsed = matter(raw, {});
  } catch (error) {
    return {
      data: undefined,
      body: '',
      bodyLineOffset: 0,
      problems: [yamlProblem(error, file)],
    };
  }

  const body = parsed.content;
  const bodyLineOffset = countLinesBefore(raw, body);
  const data: unknown = parsed.data;

  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    problems.push({ file, line: 2, message: 'frontmatter: expected "field: value" lines such as "title: My article"' });
    return { data: undefined, body, bodyLineOffset, problems };
  }
  const record: Record<string, unknown> = { ...data };

  // YAML silently rolls an unquoted 2026-02-30 over to March 2; catch it before the schema sees a valid date.
  for (const key of ['date', 'updated']) {
    const value = record[key];
    if (!(value instanceof Date)) continue;
    const line = fieldLine(lines, [key]);
    const written = line === undefined ? undefined : rawScalar(lines[line - 1] ?? '');
    if (written !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(written) && written !== value.toISOString().slice(0, 10)) {
      problems.push({ file, line, field: key, message: `expected a real calendar date, got ${written}` });
      record[key] = written; // keep the schema from reporting the same field twice
    }
  }

  const result = frontmatterSchema.safeParse(record);
  if (!result.success) {
    problems.push(...issueProblems(result.error.issues, record, lines, file));
  }
  // Only the date problems above can precede a successful parse; either way the data is not trusted.
  if (!result.success || problems.length > 0) {
    return { data: undefined, body, bodyLineOffset, problems: dedupeByField(problems) };
  }

  const frontmatter = result.data;
  if (!frontmatter.draft) problems.push(...placeholderProblems(frontmatter, lines, file));
  return { data: problems.length > 0 ? undefined : frontmatter, body, bodyLineOffset, problems };
}

/** The 1-based file line where `path` (a top-level key, optionally with a list index) is written. */
export function fieldLine(lines: readonly string[], path: readonly PropertyKey[]): number | undefined {
  const [key, index] = path;
  if (typeof key !== 'string') return undefined;
  const keyPattern = new RegExp(`^${escapeRegExp(key)}\\s*:`);
  const end = closingLine(lines);
  let keyIndex = -1;
  for (let i = 1; i < end; i++) {
    if (keyPattern.test(lines[i] ?? '')) {
      keyIndex = i;
      break;
    }
  }
  if (keyIndex === -1) return undefined;
  if (typeof index !== 'number') return keyIndex + 1;

  // `tags: [a, b]` keeps its items on the key's line; a block list puts each `- item` on its own.
  const rest = (lines[keyIndex] ?? '').replace(keyPattern, '').trim();
  if (rest !== '') return keyIndex + 1;
  let seen = -1;
  for (let i = keyIndex + 1; i < end; i++) {
    const line = lines[i] ?? '';
    if (/^\s*-(\s|$)/.test(line)) {
      seen++;
      if (seen === index) return i + 1;
    } else if (/^\S/.test(line) && !line.startsWith('#')) {
      break;
    }
  }
  return keyIndex + 1;
}

function closingLine(lines: readonly string[]): number {
  for (let i = 1; i < lines.length; i++) {
    if (/^(---|\.\.\.)\s*$/.test(lines[i] ?? '')) return i;
  }
  return lines.length;
}

function issueProblems(
  issues: ZodError['issues'],
  record: Record<string, unknown>,
  lines: readonly string[],
  file: string,
): ContentProblem[] {
  const problems: ContentProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const suggestion = suggestKey(key);
        problems.push({
          file,
          line: fieldLine(lines, [key]),
          field: key,
          message:
            `unknown field${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; ` +
            `expected one of ${frontmatterKeys.join(', ')}`,
        });
      }
      continue;
    }
    const path = issue.path;
    const value = valueAt(record, path);
    problems.push({
      file,
      // A missing field has no line of its own: point at the closing "---", where it goes.
      line: fieldLine(lines, path) ?? closingLine(lines) + 1,
      field: fieldName(path),
      message: `expected ${expectation(issue, path)}, got ${describe(value)}`,
    });
  }
  return problems;
}

function expectation(issue: ZodError['issues'][number], path: readonly PropertyKey[]): string {
  const key = typeof path[0] === 'string' ? path[0] : '';
  // The schema's own messages are already phrased as expectations ("an ISO date such as …").
  if (!issue.message.startsWith('Invalid input') && !issue.message.startsWith('Too ')) return issue.message;
  if (issue.code === 'invalid_type') {
    if (path.length === 1 && FIELD_EXPECTATIONS[key]) return FIELD_EXPECTATIONS[key];
    return issue.expected === 'string' ? 'a string' : `a ${issue.expected}`;
  }
  if (issue.code === 'too_small' && issue.origin === 'string') return 'a non-empty string';
  return FIELD_EXPECTATIONS[key] ?? issue.message;
}

/** The first problem per field is the one worth fixing; zod may add a second (regex, then refine). */
function dedupeByField(problems: ContentProblem[]): ContentProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = problem.field ?? `:${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function placeholderProblems(data: Frontmatter, lines: readonly string[], file: string): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const message = (what: string) =>
    `still the placeholder from new:article; expected ${what} before publishing (or keep draft: true)`;
  if (data.description.startsWith(PLACEHOLDER_PREFIX)) {
    problems.push({ file, line: fieldLine(lines, ['description']), field: 'description', message: message('the real description') });
  }
  data.takeaways.forEach((takeaway, index) => {
    if (takeaway.startsWith(PLACEHOLDER_PREFIX)) {
      problems.push({
        file,
        line: fieldLine(lines, ['takeaways', index]),
        field: `takeaways[${index}]`,
        message: message('a real takeaway'),
      });
    }
  });
  const tagIndex = data.tags.indexOf(PLACEHOLDER_TAG);
  if (tagIndex !== -1) {
    problems.push({
      file,
      line: fieldLine(lines, ['tags', tagIndex]),
      field: `tags[${tagIndex}]`,
      message: message('real tags'),
    });
  }
  return problems;
}

function yamlProblem(error: unknown, file: string): ContentProblem {
  // js-yaml's YAMLException: `reason` plus a 0-based `mark` inside the text after the opening "---",
  // whose line 0 is the rest of the "---" line itself, so file line = mark.line + 1.
  if (error instanceof Error && 'mark' in error && typeof error.mark === 'object' && error.mark !== null) {
    const mark = error.mark;
    const reason = 'reason' in error && typeof error.reason === 'string' ? error.reason : error.message;
    const line = 'line' in mark && typeof mark.line === 'number' ? mark.line + 1 : undefined;
    const column = 'column' in mark && typeof mark.column === 'number' ? mark.column + 1 : undefined;
    return { file, line, column, message: `frontmatter YAML error: ${reason}` };
  }
  return { file, line: 1, message: `frontmatter YAML error: ${error instanceof Error ? error.message : String(error)}` };
}

function countLinesBefore(raw: string, body: string): number {
  const start = raw.length - body.length;
  const prefix = start >= 0 && raw.endsWith(body) ? raw.slice(0, start) : '';
  return prefix.split('\n').length - 1;
}

function rawScalar(line: string): string | undefined {
  const match = /^[^:]+:\s*(.*?)\s*(?:#.*)?$/.exec(line);
  const value = match?.[1];
  return value === undefined ? undefined : value.replace(/^(['"])(.*)\1$/, '$2');
}

function valueAt(record: Record<string, unknown>, path: readonly PropertyKey[]): unknown {
  let current: unknown = record;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = Reflect.get(current, key);
  }
  return current;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'an empty value';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'string') return value.length > 80 ? `${value.length} characters` : JSON.stringify(value);
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

function suggestKey(key: string): string | undefined {
  const lower = key.toLowerCase();
  return frontmatterKeys.find(
    (known) => known === lower || lower.startsWith(known) || (known.startsWith(lower) && lower.length >= 3),
  );
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
