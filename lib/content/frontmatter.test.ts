import { describe, expect, it } from 'vitest';
import { parseFrontmatter } from './frontmatter';

describe('fieldLine', () => {
  const lines = [
    '---',
    'title: "A"', // 2
    'tags: [a, b]', // 3
    'takeaways:', // 4
    '  - "one"', // 5
    '  # a comment', // 6
    '  - "two"', // 7
    'related:', // 8
    '- x', // 9
    '- y', // 10
    '---',
    'title: not frontmatter',
  ];
  const { fieldLine } = parseFrontmatter(lines.join('\n'), 'x.mdx');

  it('finds a top-level key', () => {
    expect(fieldLine(['title'])).toBe(2);
    expect(fieldLine(['missing'])).toBeUndefined();
  });

  it('finds the line of a list item, indented or not, or the key line for an inline list', () => {
    expect(fieldLine(['tags', 1])).toBe(3);
    expect(fieldLine(['takeaways', 1])).toBe(7);
    expect(fieldLine(['related', 1])).toBe(10);
  });
});

describe('parseFrontmatter', () => {
  it('tells body lines from file lines', () => {
    const parsed = parseFrontmatter('---\ntitle: x\n---\n\n## Body\n', 'x.mdx');
    expect(parsed.body).toBe('\n## Body\n');
    // body line 2 ("## Body") is file line 5
    expect(parsed.bodyLineOffset).toBe(3);
  });

  it('accepts unquoted and quoted dates alike', () => {
    const source = (date: string) =>
      `---\ntitle: T\ndescription: D\ndate: ${date}\nauthor: A\ntags: [t]\ntakeaways: [k]\n---\n`;
    expect(parseFrontmatter(source('2026-03-10'), 'x.mdx').data?.date).toBe('2026-03-10');
    expect(parseFrontmatter(source('"2026-03-10"'), 'x.mdx').data?.date).toBe('2026-03-10');
  });

  it('reports a too-long description by its length, not the whole text', () => {
    const long = 'x'.repeat(201);
    const parsed = parseFrontmatter(
      `---\ntitle: T\ndescription: ${long}\ndate: 2026-03-10\nauthor: A\ntags: [t]\ntakeaways: [k]\n---\n`,
      'x.mdx',
    );
    expect(parsed.problems).toEqual([
      { file: 'x.mdx', line: 3, field: 'description', message: 'expected at most 200 characters, got 201 characters' },
    ]);
  });

  it('names the expected type when a field has the wrong one', () => {
    const parsed = parseFrontmatter(
      '---\ntitle: T\ndescription: D\ndate: 2026-03-10\nauthor: A\ntags: consensus\ntakeaways: [k]\ndraft: "yes"\n---\n',
      'x.mdx',
    );
    expect(parsed.problems).toEqual([
      {
        file: 'x.mdx',
        line: 6,
        field: 'tags',
        message: 'expected a list of lowercase slugs such as [distributed-systems, consensus], got "consensus"',
      },
      { file: 'x.mdx', line: 8, field: 'draft', message: 'expected true or false, got "yes"' },
    ]);
  });
});

describe('parseFrontmatter: YAML mistakes at their own line', () => {
  const valid = 'title: T\ndescription: D\ndate: 2026-03-10\nauthor: A\ntags: [t]\ntakeaways:\n  - k\n';
  const problemsOf = (yaml: string) => parseFrontmatter(`---\n${yaml}---\n\n## Body\n`, 'x.mdx').problems;
  const yamlError = (line: number, column: number, reason: string) => [
    { file: 'x.mdx', line, column, message: `frontmatter YAML error: ${reason}` },
  ];

  it('a duplicate key, a tab as indentation, an unclosed quote, an alias or tag YAML cannot resolve', () => {
    expect(problemsOf(`${valid}author: B\n`)).toEqual(yamlError(9, 1, 'Map keys must be unique'));
    expect(problemsOf(valid.replace('  - k', '\t- k'))).toEqual(yamlError(8, 1, 'Tabs are not allowed as indentation'));
    // An unclosed quote runs to the end of the frontmatter, where YAML notices it.
    expect(problemsOf(valid.replace('title: T', 'title: "T'))).toEqual(yamlError(9, 1, 'Missing closing "quote'));
    expect(problemsOf(`${valid}related: *slugs\n`)).toEqual(
      yamlError(9, 10, 'Unresolved alias (the anchor must be set before the alias): slugs'),
    );
    expect(problemsOf(`${valid}next: !slug x\n`)).toEqual(yamlError(9, 7, 'Unresolved tag: !slug'));
  });

  it('keeps the body and its line offset after a YAML error, for the MDX checks', () => {
    const parsed = parseFrontmatter('---\ntitle: [T\n---\n\n## Body\n', 'x.mdx');
    expect(parsed.problems.map((p) => p.line)).toEqual([3]);
    expect([parsed.body, parsed.bodyLineOffset]).toEqual(['\n## Body\n', 3]);
  });

  it('reads CRLF files like LF files, lines included', () => {
    const crlf = parseFrontmatter(`---\n${valid}draft: "no"\n---\n\n## Body\n`.replace(/\n/g, '\r\n'), 'x.mdx');
    expect(crlf.problems).toEqual([{ file: 'x.mdx', line: 9, field: 'draft', message: 'expected true or false, got "no"' }]);
    expect(crlf.fieldLine(['takeaways', 0])).toBe(8);
    expect(crlf.body).toBe('\r\n## Body\r\n');
  });

  it('keeps YAML 1.1 look-alikes as the strings they read as (core schema)', () => {
    const parsed = parseFrontmatter(`---\n${valid.replace('title: T', 'title: 1:30').replace('author: A', 'author: 2026-03-10')}---\n`, 'x.mdx');
    expect(parsed.problems).toEqual([]);
    expect(parsed.data).toMatchObject({ title: '1:30', author: '2026-03-10', date: '2026-03-10' });
    expect(problemsOf(valid.replace('date: 2026-03-10', 'date: 2026-02-30'))).toEqual([
      { file: 'x.mdx', line: 4, field: 'date', message: 'expected a real calendar date, got 2026-02-30' },
    ]);
  });
});
