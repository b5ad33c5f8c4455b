import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFrontmatter } from './frontmatter';
import { analyzeBody } from './mdx';

/**
 * The content rules for footnotes, math and code fences that need more than one fixture each:
 * what must pass (so editors are not nagged about correct text) and where the line of a problem
 * is. One fixture per mistake, with its exact message, is test/reliability/build-errors.test.ts.
 */

const analyze = (body: string) => analyzeBody(body, { file: 'x.mdx', lineOffset: 10 });
const messages = (body: string) => analyze(body).problems.map((p) => `${p.line} ${p.message}`);

describe('footnotes', () => {
  it('pass when every reference has a note and every note a reference, labels matching case-insensitively', () => {
    expect(messages('One[^a], two[^Note-2] and one again[^a].\n\n[^a]: First.\n[^note-2]: Second, with `code` and a [link](https://example.com).')).toEqual([]);
  });

  it('leave [^label] alone where it is not a reference: escaped, in code, in a code block', () => {
    expect(messages('A regex such as \\[^a-z] or `[^0-9]+`.\n\n```ts\nconst re = /[^abc]/\n```')).toEqual([]);
  });

  it('name the line of each undefined reference, also further down a paragraph', () => {
    expect(messages('First line.\nSecond line has [^gone].\nThird [^also-gone].')).toEqual([
      expect.stringMatching(/^12 footnote reference \[\^gone\] has no definition/),
      expect.stringMatching(/^13 footnote reference \[\^also-gone\] has no definition/),
    ]);
  });
});

describe('math', () => {
  it.each([
    ['no math at all', 'Plain prose.', false],
    ['one dollar sign in prose', 'A transfer of $250 between accounts.', false],
    ['escaped dollar signs', 'Between \\$5 and \\$10 a month.', false],
    ['dollars in code', 'Run `echo $HOME` or\n\n```sh\necho "$PATH $HOME"\n```', false],
    ['inline math', 'The quorum is $\\lfloor n/2 \\rfloor + 1$ nodes.', true],
    ['display math', '$$\n\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}\n$$', true],
    ['a ```math fence', '```math\nE = mc^2\n```', true],
  ])('%s: nothing to report, and hasMath says whether there is math', (_name, body, hasMath) => {
    const analysis = analyze(body);
    expect(analysis.problems).toEqual([]);
    expect(analysis.hasMath).toBe(hasMath);
  });

  it('a formula error is reported at the line of the formula where KaTeX stops', () => {
    expect(messages('Text.\n\n$$\na + b\n  = c +\n  \\frac{1}{\n$$')).toEqual([
      // the TeX starts on body line 4 and ends, unfinished, on body line 6 (file line 16)
      expect.stringMatching(/^16 math: KaTeX parse error: Unexpected end of input/),
    ]);
    expect(messages('A formula on\ntwo lines: $a +\n\\foo$ here.')).toEqual([expect.stringMatching(/^13 math: KaTeX parse error: Undefined control sequence: \\foo/)]);
  });

  it.each([
    ['$5 and $10', 'dollar amounts'],
    ['from $5-$10 a month', 'dollar amounts'],
    ['$ x $', 'dollar amounts'],
    ['$\\url{https://example.com}$', '\\url is not allowed in formulas'],
    ['$\\includegraphics{/x.png}$', '\\includegraphics is not allowed in formulas'],
    ['$\\htmlClass{x}{y}$', '\\htmlClass is not allowed in formulas'],
  ])('%s is refused (%s)', (body, reason) => {
    expect(messages(body)).toEqual([expect.stringContaining(reason)]);
  });
});

describe('code fences', () => {
  it('pass with every option in range, including a diff block with highlighted lines', () => {
    expect(messages('```ts title="a.ts" {1,3-4} showLineNumbers diff\n one\n-two\n+three\n\n```')).toEqual([]);
    expect(messages('```diagram label="Boxes"\n[a] [b]\n```')).toEqual([]);
  });

  it('name the fence line for option problems, and the code line for a missing diff marker', () => {
    expect(messages('Text.\n\n```ts {9} diff\n one\ntwo\n```')).toEqual([
      '13 code block lines {9}: line 9 is past the end of the block, which has 2 lines',
      '15 diff block line 2 starts with "t": expected +, - or a space at the start of every line (the marker column)',
    ]);
  });
});

it('the site\'s own articles use every feature and pass', () => {
  const file = 'content/idempotency-keys-and-retries.mdx';
  const { body, bodyLineOffset } = parseFrontmatter(fs.readFileSync(file, 'utf8'), file);
  const analysis = analyzeBody(body, { file, lineOffset: bodyLineOffset });
  expect(analysis.problems).toEqual([]);
  expect(analysis.hasMath).toBe(true);
  expect(body).toMatch(/\[\^\w+\]:/);
  expect(body).toMatch(/```ts title="[^"]+" diff/);
  expect(body).toMatch(/```ts title="[^"]+" \{[\d,-]+\} showLineNumbers/);
});
