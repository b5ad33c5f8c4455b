import fs from 'node:fs';
import path from 'node:path';
import { compile } from '@mdx-js/mdx';
import rehypeSlug from 'rehype-slug';
import remarkGfm from 'remark-gfm';
import { describe, expect, it } from 'vitest';
import { parseFrontmatter } from './frontmatter';
import { analyzeBody, computeReadingTime } from './mdx';

const alphaFile = path.resolve('test/fixtures/content/valid/alpha.mdx');

describe('heading ids', () => {
  it('are exactly the ids rehype-slug puts on the rendered headings, in order, all depths', async () => {
    const { body, bodyLineOffset } = parseFrontmatter(fs.readFileSync(alphaFile, 'utf8'), 'alpha.mdx');
    const { anchors } = analyzeBody(body, { file: 'alpha.mdx', lineOffset: bodyLineOffset });

    const compiled = String(await compile(body, { remarkPlugins: [remarkGfm], rehypePlugins: [rehypeSlug] }));
    const rendered = [...compiled.matchAll(/\bid: "([^"]*)"/g)].map((match) => JSON.parse(`"${match[1]}"`) as string);

    expect(rendered).toHaveLength(9);
    expect([...anchors]).toEqual(rendered);
  });

  it('use one slugger per article, so two articles both get "summary"', () => {
    const one = analyzeBody('## Summary\n', { file: 'a.mdx', lineOffset: 0 });
    const two = analyzeBody('## Summary\n', { file: 'b.mdx', lineOffset: 0 });
    expect(one.headings[0]?.id).toBe('summary');
    expect(two.headings[0]?.id).toBe('summary');
  });
});

describe('reading time', () => {
  const words = (n: number) => Array.from({ length: n }, () => 'word').join(' ');

  it('rounds minutes up at 200 words a minute and says "N min read"', () => {
    expect(computeReadingTime(words(200))).toEqual({ minutes: 1, words: 200, text: '1 min read' });
    expect(computeReadingTime(words(201))).toEqual({ minutes: 2, words: 201, text: '2 min read' });
    expect(computeReadingTime(words(1600))).toEqual({ minutes: 8, words: 1600, text: '8 min read' });
  });

  it('is at least one minute', () => {
    expect(computeReadingTime('')).toEqual({ minutes: 1, words: 0, text: '1 min read' });
  });

  it('counts prose and code but not diagrams, and keeps paragraphs apart', () => {
    const body = [
      'One two three.',
      '',
      'Four five.',
      '',
      '```ts',
      'const six = 7;',
      '```',
      '',
      '```diagram label="Boxes"',
      '┌───┐ ┌───┐ ┌───┐ ┌───┐',
      '│ A │ │ B │ │ C │ │ D │',
      '└───┘ └───┘ └───┘ └───┘',
      '```',
    ].join('\n');
    // 3 + 2 prose words ("three." and "Four" stay separate), 4 code tokens, 0 from the diagram
    expect(analyzeBody(body, { file: 'x.mdx', lineOffset: 0 }).readingTime.words).toBe(9);
  });

  it('includes the takeaways, which the page shows above the body', () => {
    const result = analyzeBody('One two.', { file: 'x.mdx', lineOffset: 0, extraText: ['Three four five.'] });
    expect(result.readingTime.words).toBe(5);
  });
});

describe('links', () => {
  it('finds /articles/ links in Markdown links, definitions and JSX href, with file lines', () => {
    const body = [
      '[a](/articles/one)', // 1
      '',
      '[b](/articles/two/#part) and [c](https://example.com/articles/three) and [d](/tags/x)', // 3
      '',
      '<a href="/articles/four?ref=x">four</a>', // 5
      '',
      '[ref]: /articles/five', // 7
    ].join('\n');
    const { links, problems } = analyzeBody(body, { file: 'x.mdx', lineOffset: 10 });
    expect(problems).toEqual([]);
    expect(links).toEqual([
      { href: '/articles/one', slug: 'one', hash: undefined, line: 11 },
      { href: '/articles/two/#part', slug: 'two', hash: 'part', line: 13 },
      { href: '/articles/four?ref=x', slug: 'four', hash: undefined, line: 15 },
      { href: '/articles/five', slug: 'five', hash: undefined, line: 17 },
    ]);
  });

  it('rejects article URLs whose slug is not a slug', () => {
    const { problems } = analyzeBody('[x](/articles/Some_Thing)', { file: 'x.mdx', lineOffset: 4 });
    expect(problems).toEqual([
      { file: 'x.mdx', line: 5, message: 'link to /articles/Some_Thing: expected /articles/<slug> with a lowercase slug' },
    ]);
  });
});
