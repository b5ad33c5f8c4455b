/**
 * What may follow the language on a code fence, e.g. ```ts title="server.ts" {3,5-7} showLineNumbers diff
 * Read here for the content check (every mistake a message) and for the renderers (the diff
 * transformer, the feed's title). rehype-pretty-code reads title, {…} and showLineNumbers itself;
 * this parser accepts exactly what it reads that way, and nothing else.
 */

export type CodeMeta = {
  title: string | undefined;
  /** Highlighted line numbers, 1-based, from every {…} group. */
  highlighted: number[];
  /** The {…} groups as written, for messages. */
  ranges: string[];
  showLineNumbers: boolean;
  diff: boolean;
  /** What is wrong with the meta string itself, one sentence each (no line counts needed). */
  problems: string[];
};

export const CODE_META_OPTIONS = 'title="…", {3,5-7} (highlighted lines), showLineNumbers or diff';

const TOKEN = /title="([^"]*)"|\{([^}]*)\}|(\S+)/g;
const RANGE = /^(\d+)(?:-(\d+))?$/;

export function parseCodeMeta(meta: string | null | undefined): CodeMeta {
  const result: CodeMeta = { title: undefined, highlighted: [], ranges: [], showLineNumbers: false, diff: false, problems: [] };
  for (const match of (meta ?? '').matchAll(TOKEN)) {
    const [token, title, range, word] = match;
    if (title !== undefined) {
      if (title.trim() === '') result.problems.push('code block title is empty: expected title="server.ts"');
      else result.title = title;
    } else if (range !== undefined) {
      result.ranges.push(token);
      const lines = parseRange(range);
      if (lines === undefined) {
        result.problems.push(`code block lines ${token}: expected line numbers and ranges such as {3,5-7} (first line 1, each range from low to high)`);
      } else {
        result.highlighted.push(...lines);
      }
    } else if (word === 'showLineNumbers') {
      result.showLineNumbers = true;
    } else if (word === 'diff') {
      result.diff = true;
    } else if (word !== undefined && word.startsWith('title=')) {
      result.problems.push(`code block option ${word}: expected title="…" in double quotes, closed on the same line`);
    } else if (word !== undefined) {
      const near = ['showLineNumbers', 'diff'].find((option) => option.toLowerCase() === word.toLowerCase());
      const hint = near === undefined ? '' : ` (did you mean "${near}"?)`;
      result.problems.push(`unknown code block option "${word}"${hint}: expected ${CODE_META_OPTIONS}`);
    }
  }
  return result;
}

/** "3, 5-7" → [3, 5, 6, 7]; undefined when any part is not a number or a low-high range from 1. */
function parseRange(text: string): number[] | undefined {
  const lines: number[] = [];
  for (const part of text.split(',')) {
    const match = RANGE.exec(part.trim());
    if (!match) return undefined;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (from < 1 || to < from) return undefined;
    for (let line = from; line <= to; line++) lines.push(line);
  }
  return lines;
}

export type DiffMarker = 'add' | 'remove' | undefined;

/**
 * A `diff` block's lines, unified-diff style: the first character of every line is its marker,
 * `+` added, `-` removed, a space unchanged (an empty line is an unchanged empty line). Returns
 * the code without the marker column, each line's marker, and the 1-based lines whose first
 * character is none of those.
 */
export function splitDiff(code: string): { code: string; markers: DiffMarker[]; badLines: number[] } {
  const markers: DiffMarker[] = [];
  const badLines: number[] = [];
  const lines = code.split('\n').map((line, index) => {
    const first = line[0];
    markers.push(first === '+' ? 'add' : first === '-' ? 'remove' : undefined);
    if (first !== undefined && first !== '+' && first !== '-' && first !== ' ') badLines.push(index + 1);
    return line.slice(1);
  });
  return { code: lines.join('\n'), markers, badLines };
}
