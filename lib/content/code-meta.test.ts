import { describe, expect, it } from 'vitest';
import { parseCodeMeta, splitDiff } from './code-meta';

describe('parseCodeMeta', () => {
  it('reads every option the renderer understands, in any order', () => {
    expect(parseCodeMeta('title="src/server.ts" {3,5-7} showLineNumbers diff')).toEqual({
      title: 'src/server.ts',
      highlighted: [3, 5, 6, 7],
      ranges: ['{3,5-7}'],
      showLineNumbers: true,
      diff: true,
      problems: [],
    });
    expect(parseCodeMeta('diff {1} {4-5} title="a file.go"')).toMatchObject({ title: 'a file.go', highlighted: [1, 4, 5], ranges: ['{1}', '{4-5}'], diff: true });
    expect(parseCodeMeta('{ 2, 4-4 }')).toMatchObject({ highlighted: [2, 4], problems: [] });
  });

  it('has nothing to say about a fence without options', () => {
    for (const meta of [undefined, null, '', '   ']) {
      expect(parseCodeMeta(meta)).toEqual({ title: undefined, highlighted: [], ranges: [], showLineNumbers: false, diff: false, problems: [] });
    }
  });

  it.each([
    ['{0}', 'code block lines {0}: expected line numbers and ranges such as {3,5-7} (first line 1, each range from low to high)'],
    ['{7-5}', 'code block lines {7-5}: expected line numbers and ranges such as {3,5-7} (first line 1, each range from low to high)'],
    ['{a}', 'code block lines {a}: expected line numbers and ranges such as {3,5-7} (first line 1, each range from low to high)'],
    ['{1,,2}', 'code block lines {1,,2}: expected line numbers and ranges such as {3,5-7} (first line 1, each range from low to high)'],
    ['title=""', 'code block title is empty: expected title="server.ts"'],
    ['title=server.ts', 'code block option title=server.ts: expected title="…" in double quotes, closed on the same line'],
    ['caption="x"', 'unknown code block option "caption="x"": expected title="…", {3,5-7} (highlighted lines), showLineNumbers or diff'],
    ['Diff', 'unknown code block option "Diff" (did you mean "diff"?): expected title="…", {3,5-7} (highlighted lines), showLineNumbers or diff'],
    ['/word/', 'unknown code block option "/word/": expected title="…", {3,5-7} (highlighted lines), showLineNumbers or diff'],
  ])('%s is a mistake with its own message', (meta, message) => {
    expect(parseCodeMeta(meta).problems).toEqual([message]);
  });
});

describe('splitDiff', () => {
  it('takes the marker column off every line and remembers each marker', () => {
    expect(splitDiff(' keep\n-old\n+new\n\n  indented')).toEqual({
      code: 'keep\nold\nnew\n\n indented',
      markers: [undefined, 'remove', 'add', undefined, undefined],
      badLines: [],
    });
  });

  it('names the lines that have no marker', () => {
    expect(splitDiff(' a\nb\n+c\n\tgo').badLines).toEqual([2, 4]);
  });
});
