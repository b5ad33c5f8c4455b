/**
 * An editor's frontmatter mistake must come back as file:line, the field and what was expected.
 * `yaml` parses the frontmatter and knows every node's line; this module checks it and words each problem.
 */
import { type Document, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { ZodError } from 'zod';
import type { ContentProblem } from './errors';
import { type Frontmatter, frontmatterKeys, frontmatterSchema, seriesKeys } from './schema';

/** Starts every placeholder `npm run new:article` writes; a published article must not keep one. */
export const PLACEHOLDER_PREFIX = 'TODO:';
export const PLACEHOLDER_TAG = 'todo';

/** The 1-based file line where a field (`['next']`) or a list item (`['related', 1]`) is written. */
export type FieldLine = (path: readonly PropertyKey[]) => number | undefined;

export type ParsedFrontmatter = {
  /** Undefined when the frontmatter has problems. */
  data: Frontmatter | undefined;
  /** The fields as written, before the schema; undefined when they do not parse as fields. */
  fields: Record<string, unknown> | undefined;
  /** The MDX body: everything after the closing "---" line. */
  body: string;
  /** Lines before the body's first line: body line n is file line n + bodyLineOffset. */
  bodyLineOffset: number;
  fieldLine: FieldLine;
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
  series: 'a series such as { name: "Consensus in practice", part: 2 }',
  'series.name': 'the series name, such as "Consensus in practice"',
  'series.part': 'a whole part number such as 2',
  'series.slug': 'a lowercase slug such as "consensus-in-practice"',
  draft: 'true or false',
};

export function parseFrontmatter(raw: string, file: string): ParsedFrontmatter {
  const fence = splitFence(raw);
  if ('problem' in fence) {
    const problems = [{ file, line: 1, message: fence.problem }];
    return { data: undefined, fields: undefined, body: fence.body, bodyLineOffset: 0, fieldLine: () => undefined, problems };
  }
  const counter = new LineCounter();
  // The core schema keeps 2026-02-30 a string (YAML 1.1 rolls it over to March 2) for the schema to refuse.
  const doc = parseDocument(fence.yaml, { schema: 'core', lineCounter: counter, prettyErrors: false });
  const at = (offset: number) => {
    const { line, col } = counter.linePos(offset);
    return { line: line + 1, column: col }; // the YAML starts on file line 2
  };
  // Walks the path as far as it is written: a list item's own line, a nested key's (series.part) own
  // line, else the line of the deepest field that exists.
  const fieldLine: FieldLine = (path) => {
    let value: unknown = doc.contents;
    let found: unknown;
    for (const part of path) {
      const pair = isMap(value) ? value.items.find((p) => isScalar(p.key) && p.key.value === part) : undefined;
      const item = typeof part === 'number' && isSeq(value) ? value.items[part] : undefined;
      if (pair !== undefined) [found, value] = [pair.key, pair.value];
      else if (isNode(item)) [found, value] = [item, item];
      else break;
    }
    return isNode(found) && found.range ? at(found.range[0]).line : undefined;
  };
  const parsed = { data: undefined, fields: undefined, body: fence.body, bodyLineOffset: fence.closingLine, fieldLine };

  const read = readFields(doc);
  if ('offset' in read) {
    return { ...parsed, problems: [{ file, ...at(read.offset), message: `frontmatter YAML error: ${read.message}` }] };
  }
  const fields = read.fields;
  if (fields === undefined) {
    return { ...parsed, problems: [{ file, line: 2, message: 'frontmatter: expected "field: value" lines such as "title: My article"' }] };
  }
  const result = frontmatterSchema.safeParse(fields);
  if (!result.success) {
    return { ...parsed, fields, problems: issueProblems(result.error.issues, doc, fieldLine, fence.closingLine, file) };
  }
  const problems = result.data.draft ? [] : placeholderProblems(result.data, fieldLine, file);
  return { ...parsed, fields, data: problems.length > 0 ? undefined : result.data, problems };
}

// Split by hand: the fence is two lines, and `yaml` then parses what lies between them with
// positions (frontmatter libraries hand back parsed data and lose the lines).
function splitFence(raw: string): { yaml: string; body: string; closingLine: number } | { problem: string; body: string } {
  const lines = raw.split('\n');
  if (!/^---\s*$/.test(lines[0] ?? '')) {
    return { problem: 'expected frontmatter at the top of the file: a line "---", the fields (title: …), and a closing "---"', body: raw };
  }
  const closing = lines.findIndex((line, i) => i > 0 && /^(---|\.\.\.)\s*$/.test(line));
  // Unclosed, YAML would read the whole article as frontmatter and fail somewhere deep in the body.
  if (closing === -1) return { problem: 'frontmatter is never closed: expected a line "---" after the last field', body: '' };
  return {
    yaml: lines.slice(1, closing).map((line) => `${line}\n`).join(''), // each line keeps its own "\r"
    body: lines.slice(closing + 1).join('\n'),
    closingLine: closing + 1, // also the number of lines before the body
  };
}

/** The YAML's fields (none when it is not a mapping), or its first mistake and where it is. */
function readFields(doc: Document.Parsed): { fields?: Record<string, unknown> } | { offset: number; message: string } {
  const [error] = [...doc.errors, ...doc.warnings];
  if (error) return { offset: error.pos[0], message: error.message };
  if (doc.contents !== null && !isMap(doc.contents)) return {};
  try {
    return { fields: doc.toJS() ?? {} };
  } catch (aliasError) {
    // Aliases resolve only here, and one that points nowhere (or expands too far) throws without a position.
    let offset = 0;
    visit(doc, {
      Alias(_, alias) {
        offset = alias.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    return { offset, message: aliasError instanceof Error ? aliasError.message : String(aliasError) };
  }
}

function issueProblems(
  issues: ZodError['issues'],
  doc: Document,
  fieldLine: FieldLine,
  closingLine: number,
  file: string,
): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const fields = new Set<string>();
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      // Top-level fields, or the keys of a nested field such as series.
      const known = issue.path.length === 0 ? frontmatterKeys : seriesKeys;
      for (const key of issue.keys) {
        const suggestion = suggestKey(key, known);
        problems.push({
          file,
          line: fieldLine([...issue.path, key]),
          field: fieldName([...issue.path, key]),
          message:
            `unknown field${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; ` +
            `expected one of ${known.join(', ')}`,
        });
      }
      continue;
    }
    const field = fieldName(issue.path);
    // The first problem per field is the one worth fixing; zod may add a second (regex, then refine).
    if (fields.has(field)) continue;
    fields.add(field);
    problems.push({
      file,
      // A missing field has no line of its own: point at the closing "---", where it goes.
      line: fieldLine(issue.path) ?? closingLine,
      field,
      message: `expected ${expectation(issue)}, got ${describe(doc.getIn(issue.path, true), doc)}`,
    });
  }
  return problems;
}

function expectation(issue: ZodError['issues'][number]): string {
  const key = typeof issue.path[0] === 'string' ? issue.path[0] : '';
  // The schema's own messages are already phrased as expectations ("an ISO date such as …").
  if (!issue.message.startsWith('Invalid input') && !issue.message.startsWith('Too ')) return issue.message;
  if (issue.code === 'invalid_type') {
    const field = fieldName(issue.path);
    if (FIELD_EXPECTATIONS[field]) return FIELD_EXPECTATIONS[field];
    return issue.expected === 'string' ? 'a string' : `a ${issue.expected}`;
  }
  if (issue.code === 'too_small' && issue.origin === 'string') return 'a non-empty string';
  return FIELD_EXPECTATIONS[key] ?? issue.message;
}

function placeholderProblems(data: Frontmatter, fieldLine: FieldLine, file: string): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const placeholder = (path: readonly PropertyKey[], what: string) =>
    problems.push({
      file,
      line: fieldLine(path),
      field: fieldName(path),
      message: `still the placeholder from new:article; expected ${what} before publishing (or keep draft: true)`,
    });
  if (data.description.startsWith(PLACEHOLDER_PREFIX)) placeholder(['description'], 'the real description');
  data.takeaways.forEach((takeaway, index) => {
    if (takeaway.startsWith(PLACEHOLDER_PREFIX)) placeholder(['takeaways', index], 'a real takeaway');
  });
  const tagIndex = data.tags.indexOf(PLACEHOLDER_TAG);
  if (tagIndex !== -1) placeholder(['tags', tagIndex], 'real tags');
  return problems;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

function describe(node: unknown, doc: Document): string {
  if (node === undefined) return 'nothing (the field is missing)';
  // An unquoted 2026-02-30 reads as a day, not as a string: show it as the editor wrote it.
  if (isScalar(node) && node.type === 'PLAIN' && /^\d{4}-\d{2}-\d{2}$/.test(String(node.value))) return String(node.value);
  const value: unknown = isNode(node) ? node.toJS(doc) : node;
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return value.length > 80 ? `${value.length} characters` : JSON.stringify(value);
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

function suggestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  return known.find(
    (known) => known === lower || lower.startsWith(known) || (known.startsWith(lower) && lower.length >= 3),
  );
}
