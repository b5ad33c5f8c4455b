import fs from 'node:fs';
import path from 'node:path';
import { slug as slugify } from 'github-slugger';
import { site } from '@/lib/site';
import { PLACEHOLDER_PREFIX, PLACEHOLDER_TAG, parseFrontmatter } from './frontmatter';
import { defaultContentDir, utcDay } from './load';
import { isSlug } from './schema';

/**
 * The starter file `npm run new:article -- "Title"` writes: frontmatter that passes the schema
 * (as a draft, so placeholders are allowed) and a body showing each part of the authoring contract.
 * Placeholders start with "TODO:" so the loader refuses to publish them unchanged.
 */
export function newArticleSource({ title, date, author }: { title: string; date: string; author: string }): string {
  // JSON strings are valid YAML double-quoted scalars, so any title survives (colons, quotes, #).
  const yaml = (value: string) => JSON.stringify(value);
  return `---
title: ${yaml(title)}
description: ${yaml(`${PLACEHOLDER_PREFIX} one sentence that tells readers what they will learn.`)}
date: ${date}
author: ${yaml(author)}
tags:
  - ${PLACEHOLDER_TAG}
takeaways:
  - ${yaml(`${PLACEHOLDER_PREFIX} the first thing a reader should remember.`)}
  - ${yaml(`${PLACEHOLDER_PREFIX} the second thing a reader should remember.`)}
related: []
draft: true
---

## Why this matters

Open with the problem the reader has, in two or three sentences.

<Callout type="insight">The one idea a reader should leave with.</Callout>

## How it works

\`\`\`diagram label="What the diagram shows, in one sentence for screen readers"
┌────────┐      ┌────────┐
│ Client │ ───▶ │ Server │
└────────┘      └────────┘
\`\`\`

\`\`\`ts
// Every code block names its language.
export function example(): string {
  return 'hello';
}
\`\`\`

## Summary

Close with what to do next. Link to other articles with \`[their title](/articles/their-slug)\`.
`;
}

/** The author of the most articles so far, so a new file starts with a real byline. */
export function mostFrequentAuthor(dir: string): string | undefined {
  const counts = new Map<string, number>();
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir).filter((name) => name.endsWith('.mdx'));
  } catch {
    return undefined;
  }
  for (const name of names) {
    try {
      const author = parseFrontmatter(fs.readFileSync(path.join(dir, name), 'utf8'), name).fields?.author;
      if (typeof author === 'string' && author.trim() !== '') counts.set(author.trim(), (counts.get(author.trim()) ?? 0) + 1);
    } catch {
      // A broken file is content:check's business, not a reason to refuse a new one.
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

/**
 * github-slugger, as for heading ids, then tidied into the schema's slug shape: accents folded
 * ("Café" → "cafe") and the double hyphens it leaves for dropped punctuation ("A & B" → "a--b") merged.
 */
export function slugFromTitle(title: string): string {
  return slugify(title.normalize('NFKD').replace(/[\u0300-\u036f]/g, ''))
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '');
}

/** Writes `<dir>/<slug>.mdx` for `title` and returns its path; never overwrites. */
export function createArticleFile(
  title: string,
  { dir = defaultContentDir(), now = new Date() }: { dir?: string; now?: Date } = {},
): string {
  const trimmed = title.trim();
  if (trimmed === '') throw new Error('Give the article a title: npm run new:article -- "My article title"');
  const slug = slugFromTitle(trimmed);
  if (!isSlug(slug)) {
    throw new Error(`"${trimmed}" makes the file name "${slug}.mdx", which is not a lowercase slug; use Latin letters, digits and spaces`);
  }
  const file = path.join(dir, `${slug}.mdx`);
  const source = newArticleSource({
    title: trimmed,
    date: utcDay(now),
    author: mostFrequentAuthor(dir) ?? site.defaultAuthor,
  });
  fs.mkdirSync(dir, { recursive: true });
  try {
    // "wx" fails if the file exists: the check and the write are one step, so nothing is overwritten.
    fs.writeFileSync(file, source, { flag: 'wx' });
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'EEXIST') {
      throw new Error(`${path.relative(process.cwd(), file)} already exists; choose another title or edit that file`);
    }
    throw error;
  }
  return file;
}
