import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkContent } from './check';
import { ContentError } from './errors';
import { parseFrontmatter } from './frontmatter';
import { loadContent } from './load';
import { createArticleFile, slugFromTitle } from './new-article';

let dir: string;
const now = new Date('2026-05-04T10:00:00Z');

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'new-article-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('createArticleFile', () => {
  it('writes <slug>.mdx whose frontmatter passes the schema, as a draft dated today', () => {
    const file = createArticleFile('Consensus: "Raft" & Paxos', { dir, now });
    expect(file).toBe(path.join(dir, 'consensus-raft-paxos.mdx'));
    const parsed = parseFrontmatter(fs.readFileSync(file, 'utf8'), 'x.mdx');
    expect(parsed.problems).toEqual([]);
    expect(parsed.data).toMatchObject({
      title: 'Consensus: "Raft" & Paxos',
      date: '2026-05-04',
      draft: true,
      author: 'Editorial team',
    });
  });

  it('passes the loader and the full content check (MDX body included)', async () => {
    createArticleFile('Hello World', { dir, now });
    const { all } = loadContent({ dir, now, includeDrafts: true });
    expect(all.map((a) => [a.slug, a.status])).toEqual([['hello-world', 'draft']]);
    const result = await checkContent({ dir, now });
    expect(result.problems).toEqual([]);
    expect(result.summary).toBe('1 articles OK (0 published, 1 drafts, 0 scheduled)');
  });

  it('takes the author of most existing articles', () => {
    const existing = (name: string, author: string) =>
      fs.writeFileSync(path.join(dir, name), `---\nauthor: ${author}\n---\n`);
    existing('a.mdx', 'Maya Lindqvist');
    existing('b.mdx', 'Maya Lindqvist');
    existing('c.mdx', 'Sam Ortiz');
    const file = createArticleFile('Third', { dir, now });
    expect(parseFrontmatter(fs.readFileSync(file, 'utf8'), 'x.mdx').data?.author).toBe('Maya Lindqvist');
  });

  it('refuses to overwrite an existing article', () => {
    const file = createArticleFile('Hello World', { dir, now });
    fs.writeFileSync(file, 'edited');
    expect(() => createArticleFile('Hello world!', { dir, now })).toThrow(/hello-world\.mdx already exists/);
    expect(fs.readFileSync(file, 'utf8')).toBe('edited');
  });

  it('refuses an empty title', () => {
    expect(() => createArticleFile('  ', { dir, now })).toThrow('Give the article a title');
  });

  it("cannot be published with its placeholders: flipping draft off fails the loader", () => {
    const file = createArticleFile('Hello World', { dir, now });
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('draft: true', 'draft: false'));
    let caught: unknown;
    try {
      loadContent({ dir, now, includeDrafts: false });
    } catch (error) {
      caught = error;
    }
    if (!(caught instanceof ContentError)) throw new Error('expected a ContentError');
    expect(caught.problems.map((p) => p.field)).toEqual(['description', 'tags[0]', 'takeaways[0]', 'takeaways[1]']);
  });
});

describe('slugFromTitle', () => {
  it('makes schema slugs from titles with punctuation and accents', () => {
    expect(slugFromTitle('Zero-downtime deployments')).toBe('zero-downtime-deployments');
    expect(slugFromTitle('Café & Crème: a “story”')).toBe('cafe-creme-a-story');
    expect(slugFromTitle('What is CAP?')).toBe('what-is-cap');
  });
});
