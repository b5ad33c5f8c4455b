import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  getAllArticles,
  getAllTags,
  getArticle,
  getArticlesByTag,
  getNextArticle,
  getRelatedArticles,
  type LoadOptions,
  loadContent,
} from './load';

/** The loader as a process started with NODE_ENV=`nodeEnv` sees it (lib/env.ts reads it once, at import). */
async function loaderIn(nodeEnv: 'development' | 'production' | 'test') {
  vi.stubEnv('NODE_ENV', nodeEnv);
  vi.resetModules();
  return import('./load');
}

const dir = path.resolve('test/fixtures/content/valid');
const now = new Date('2026-03-15T12:00:00Z');
const production: LoadOptions = { dir, now, includeDrafts: false };
const development: LoadOptions = { dir, now, includeDrafts: true };

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('loading valid articles', () => {
  it('reads frontmatter, slug and file path relative to the project', () => {
    const alpha = getArticle('alpha', production);
    expect(alpha).toMatchObject({
      slug: 'alpha',
      file: 'test/fixtures/content/valid/alpha.mdx',
      title: 'Alpha: consensus in practice',
      date: '2026-03-10',
      updated: '2026-03-12',
      author: 'Ada Example',
      tags: ['consensus', 'databases', 'reliability'],
      related: ['gamma'],
      next: 'beta',
      draft: false,
      status: 'published',
    });
    expect(alpha?.body.startsWith('\n## Why it matters')).toBe(true);
  });

  it('lists depth 2 and 3 headings with the ids rehype-slug gives them', () => {
    expect(getArticle('alpha', production)?.headings).toEqual([
      { depth: 2, text: 'Why it matters', id: 'why-it-matters' },
      { depth: 3, text: "What's new in v2.0?", id: 'whats-new-in-v20' },
      { depth: 2, text: 'Summary', id: 'summary' },
      // the #### Summary between them took "summary-1"
      { depth: 2, text: 'Summary', id: 'summary-2' },
      { depth: 2, text: 'Émojis 🚀 & Unicode', id: 'émojis---unicode' },
      { depth: 2, text: 'See Raft and friends', id: 'see-raft-and-friends' },
      { depth: 2, text: 'Expression ignored', id: 'expression--ignored' },
      { depth: 2, text: 'Logo here', id: 'logo--here' },
    ]);
  });

  it('computes a reading time for every article', () => {
    expect(getArticle('beta', production)?.readingTime).toEqual({ minutes: 1, words: 17, text: '1 min read' });
  });

  it('sorts newest first, same-day articles by title', () => {
    // gamma and beta share 2026-03-01; "An older gamma…" sorts before "Beta: …"
    expect(getAllArticles(production).map((a) => a.slug)).toEqual(['alpha', 'gamma', 'beta']);
  });

  it('counts tags of visible articles, most used first, then by name', () => {
    expect(getAllTags(production)).toEqual([
      { tag: 'consensus', count: 2 },
      { tag: 'databases', count: 2 },
      { tag: 'reliability', count: 1 },
    ]);
    expect(getArticlesByTag('databases', production).map((a) => a.slug)).toEqual(['alpha', 'gamma']);
    expect(getArticlesByTag('nope', production)).toEqual([]);
  });

  it('returns undefined for an unknown slug', () => {
    expect(getArticle('nope', production)).toBeUndefined();
  });

  it('finds next and related articles among the visible ones', () => {
    const alpha = getArticle('alpha', production);
    if (!alpha) throw new Error('alpha should load');
    expect(getNextArticle(alpha, production)?.slug).toBe('beta');
    // gamma is named in `related`; beta shares the consensus tag
    expect(getRelatedArticles(alpha, 3, production).map((a) => a.slug)).toEqual(['gamma', 'beta']);
    const beta = getArticle('beta', production);
    if (!beta) throw new Error('beta should load');
    expect(getNextArticle(beta, production)).toBeUndefined();
  });
});

describe('visibility', () => {
  it('hides drafts and future-dated articles in production and test', () => {
    const { all, articles } = loadContent(production);
    expect(all.map((a) => [a.slug, a.status])).toEqual([
      ['future-post', 'scheduled'],
      ['draft-post', 'draft'],
      ['alpha', 'published'],
      ['gamma', 'published'],
      ['beta', 'published'],
    ]);
    expect(articles.map((a) => a.slug)).toEqual(['alpha', 'gamma', 'beta']);
    expect(getArticle('draft-post', production)).toBeUndefined();
    expect(getArticle('future-post', production)).toBeUndefined();
  });

  it('shows drafts and scheduled articles in development so editors can preview', () => {
    expect(getAllArticles(development).map((a) => a.slug)).toEqual([
      'future-post',
      'draft-post',
      'alpha',
      'gamma',
      'beta',
    ]);
    // in development the scheduled article shares two tags with alpha, the draft one
    const alpha = getArticle('alpha', development);
    if (!alpha) throw new Error('alpha should load');
    expect(getRelatedArticles(alpha, 3, development).map((a) => a.slug)).toEqual(['gamma', 'future-post', 'draft-post']);
  });

  it('can show scheduled articles without drafts', () => {
    const slugs = getAllArticles({ ...production, includeScheduled: true }).map((a) => a.slug);
    expect(slugs).toContain('future-post');
    expect(slugs).not.toContain('draft-post');
  });

  it('publishes a future-dated article on its day (UTC)', () => {
    const dayBefore = { dir, includeDrafts: false, now: new Date('2026-03-31T23:59:59Z') };
    const onTheDay = { dir, includeDrafts: false, now: new Date('2026-04-01T00:00:00Z') };
    expect(getArticle('future-post', dayBefore)).toBeUndefined();
    expect(getArticle('future-post', onTheDay)?.status).toBe('published');
  });

  it('takes the default mode from NODE_ENV', async () => {
    expect((await loaderIn('development')).getAllArticles({ dir, now }).map((a) => a.slug)).toContain('draft-post');
    expect((await loaderIn('test')).getAllArticles({ dir, now }).map((a) => a.slug)).not.toContain('draft-post');
  });
});

describe('caching', () => {
  it('reads the files once per process in production', async () => {
    const { getAllArticles } = await loaderIn('production');
    expect(getAllArticles({ dir, now })).toBe(getAllArticles({ dir, now }));
  });

  it('in development, reuses the load until a file changes, then re-reads so edits show up', async () => {
    const { getAllArticles } = await loaderIn('development');
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'content-'));
    try {
      fs.cpSync(dir, copy, { recursive: true });
      const options = { dir: copy, now };
      const first = getAllArticles(options);
      expect(getAllArticles(options)).toBe(first);

      const beta = path.join(copy, 'beta.mdx');
      fs.writeFileSync(beta, fs.readFileSync(beta, 'utf8').replace('Beta: leader election', 'Beta: elections'));
      const edited = getAllArticles(options);
      expect(edited).not.toBe(first);
      expect(edited.find((a) => a.slug === 'beta')?.title).toBe('Beta: elections');
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('re-reads on every call in tests', async () => {
    const { getAllArticles } = await loaderIn('test');
    expect(getAllArticles({ dir, now })).not.toBe(getAllArticles({ dir, now }));
  });
});
