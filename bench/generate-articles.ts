/**
 * Generated articles for the build-scaling benchmark: the reference article's body (headings,
 * a table, code blocks in five languages, diagrams, callouts: what a real article costs to
 * render) under a unique title, slug, description and tag each, with valid frontmatter for
 * lib/content/schema.ts. No related/next (those would have to point at real slugs), and the
 * body's one internal link points at the following generated article, so the link checker sees
 * a realistic link and no dead one.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { parseFrontmatter } from '../lib/content/frontmatter';
import { REPO_ROOT } from './config';
import { REFERENCE_SLUG } from './context';

const TOPICS = ['consensus', 'caching', 'queues', 'storage', 'networking', 'observability', 'testing', 'security'];

export const generatedSlug = (i: number) => `bench-article-${String(i).padStart(4, '0')}`;

/** Replaces every article in `contentDir` with `count` generated ones; returns their slugs. */
export async function writeGeneratedArticles(contentDir: string, count: number): Promise<string[]> {
  if (count < 2) throw new Error('at least 2 articles (each links to the next one)');
  const referenceFile = path.join(REPO_ROOT, 'content', `${REFERENCE_SLUG}.mdx`);
  const reference = parseFrontmatter(await readFile(referenceFile, 'utf8'), referenceFile);
  if (reference.data === undefined) throw new Error(`${referenceFile}: ${reference.problems.map((p) => p.message).join('; ')}`);
  const { takeaways } = reference.data;
  await mkdir(contentDir, { recursive: true });
  for (const entry of await readdir(contentDir)) {
    if (entry.endsWith('.mdx') || entry.endsWith('.md')) await rm(path.join(contentDir, entry));
  }
  const slugs: string[] = [];
  // Dates count back from a fixed day in the past: all published (none scheduled), newest first.
  const newest = Date.UTC(2026, 0, 31);
  for (let i = 1; i <= count; i += 1) {
    const slug = generatedSlug(i);
    const linked = generatedSlug((i % count) + 1);
    const body = reference.body.replace(/\]\(\/articles\/[a-z0-9-]+\)/g, `](/articles/${linked})`);
    const data = {
      title: `Distributed Systems, Part ${i}: A Practical Primer`,
      description: `Generated article ${i} of ${count} for the build-scaling benchmark: the reference article's body under a new title.`,
      date: new Date(newest - i * 86_400_000).toISOString().slice(0, 10),
      author: 'Bench Generator',
      // A tag of its own, and one shared by an eighth of the articles: tag pages grow with the content too.
      tags: [`series-${i}`, TOPICS[i % TOPICS.length]!],
      takeaways,
    };
    await writeFile(path.join(contentDir, `${slug}.mdx`), `---\n${stringify(data, { lineWidth: 0 })}---\n${body}`);
    slugs.push(slug);
  }
  return slugs;
}
