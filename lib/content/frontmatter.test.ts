import { describe, expect, it } from 'vitest';
import { fieldLine, parseFrontmatter } from './frontmatter';

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

  it('finds a top-level key', () => {
    expect(fieldLine(lines, ['title'])).toBe(2);
    expect(fieldLine(lines, ['missing'])).toBeUndefined();
  });

  it('finds the line of a list item, indented or not, or the key line for an inline list', () => {
    expect(fieldLine(lines, ['tags', 1])).toBe(3);
    expect(fieldLine(lines, ['takeaways', 1])).toBe(7);
    expect(fieldLine(lines, ['related', 1])).toBe(10);
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
