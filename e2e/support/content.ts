import fs from 'node:fs';
import path from 'node:path';
import GithubSlugger from 'github-slugger';
import { parse } from 'yaml';

/**
 * What the end-to-end tests expect, read straight from content/*.mdx with `yaml`, so the
 * tests follow the content instead of repeating it. Deliberately independent of lib/content:
 * if the loader gets visibility wrong, these tests must notice rather than agree with it.
 */

export const CONTENT_DIR = path.join(process.cwd(), 'content');

/** The slug of the article the reference page was taken from. */
export const REFERENCE_SLUG = 'understanding-distributed-systems';

export type ContentArticle = {
  slug: string;
  title: string;
  description: string;
  /** YYYY-MM-DD */
  date: string;
  updated?: string;
  author: string;
  tags: string[];
  takeaways: string[];
  related: string[];
  next?: string;
  draft: boolean;
  /** Readers can see it: not a draft, and dated today (UTC) or earlier. */
  published: boolean;
  body: string;
};

export type Fence = { lang: string; meta: string; code: string };
export type MdHeading = { depth: 2 | 3; text: string; id: string };

/** Today as a UTC calendar day, the way the site schedules articles. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** `yaml` reads days as strings, quoted or not (its core schema has no dates). */
function isoDay(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

let cache: ContentArticle[] | undefined;

/** Every article in content/, whatever its status, newest first (same day: by title, then slug). */
export function allArticles(): ContentArticle[] {
  if (cache) return cache;
  const today = todayUtc();
  cache = fs
    .readdirSync(CONTENT_DIR)
    .filter((name) => name.endsWith('.mdx'))
    .map((name) => {
      const text = fs.readFileSync(path.join(CONTENT_DIR, name), 'utf8');
      // The frontmatter is the YAML between the first two "---" lines; the body is the rest.
      const [, frontmatter = '', content = ''] = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text) ?? [];
      const data: Record<string, unknown> = parse(frontmatter) ?? {};
      const date = isoDay(data.date);
      if (!date) throw new Error(`${name}: no date in the frontmatter`);
      const draft = data.draft === true;
      return {
        slug: name.slice(0, -'.mdx'.length),
        title: String(data.title),
        description: String(data.description),
        date,
        updated: isoDay(data.updated),
        author: String(data.author),
        tags: (data.tags ?? []) as string[],
        takeaways: (data.takeaways ?? []) as string[],
        related: (data.related ?? []) as string[],
        next: data.next as string | undefined,
        draft,
        published: !draft && date <= today,
        body: content,
      };
    })
    .sort(
      (a, b) =>
        (a.date === b.date ? 0 : a.date < b.date ? 1 : -1) ||
        a.title.localeCompare(b.title, 'en') ||
        a.slug.localeCompare(b.slug, 'en'),
    );
  return cache;
}

export function publishedArticles(): ContentArticle[] {
  return allArticles().filter((a) => a.published);
}

/** Drafts and articles dated after today: readers must never see them. */
export function hiddenArticles(): ContentArticle[] {
  return allArticles().filter((a) => !a.published);
}

export function article(slug: string): ContentArticle {
  const found = allArticles().find((a) => a.slug === slug);
  if (!found) throw new Error(`no content/${slug}.mdx`);
  return found;
}

/** Tags carried by published articles. */
export function publishedTags(): string[] {
  return [...new Set(publishedArticles().flatMap((a) => a.tags))].sort();
}

/** The lines of the body that are outside fenced code blocks, plus the fences themselves. */
function scan(body: string): { prose: string[]; fences: Fence[] } {
  const prose: string[] = [];
  const fences: Fence[] = [];
  const lines = body.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})([^\s`]*)\s*(.*)$/.exec(lines[i] ?? '');
    if (!open) {
      prose.push(lines[i] ?? '');
      continue;
    }
    const ticks = open[1] ?? '```';
    const code: string[] = [];
    i++;
    while (i < lines.length && lines[i]?.trimEnd() !== ticks) code.push(lines[i++] ?? '');
    fences.push({ lang: open[2] ?? '', meta: open[3] ?? '', code: code.join('\n') });
  }
  return { prose, fences };
}

/** The fenced blocks of an article, in order: ```lang meta … ``` → { lang, meta, code }. */
export function fences(slug: string, lang?: string): Fence[] {
  const all = scan(article(slug).body).fences;
  return lang === undefined ? all : all.filter((f) => f.lang === lang);
}

/**
 * What a fence's Copy button must copy: its code, except that a ```lang diff block loses its
 * marker column and its removed lines (a reader pastes the code after the change).
 */
export function copiedCode(f: Fence): string {
  if (!/(^|\s)diff(\s|$)/.test(f.meta)) return f.code;
  return f.code
    .split('\n')
    .filter((line) => !line.startsWith('-'))
    .map((line) => line.slice(1))
    .join('\n');
}

/** The one fence of `lang` in the article (fails loudly if there are none or several). */
export function fence(slug: string, lang: string): Fence {
  const found = fences(slug, lang);
  if (found.length !== 1) throw new Error(`${slug}: expected one \`\`\`${lang} fence, found ${found.length}`);
  return found[0] as Fence;
}

/** `label="…"` of a ```diagram fence. */
export function diagramLabel(f: Fence): string {
  return /label="([^"]*)"/.exec(f.meta)?.[1] ?? '';
}

/** ## and ### headings outside code, with the ids rehype-slug gives them (github-slugger). */
export function headings(slug: string): MdHeading[] {
  const slugger = new GithubSlugger();
  return scan(article(slug).body)
    .prose.map((line) => /^(#{2,3})\s+(.+?)\s*$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => {
      const text = (m[2] ?? '').replace(/[*_`]/g, '');
      return { depth: (m[1] ?? '').length as 2 | 3, text, id: slugger.slug(text) };
    });
}

/** GFM tables outside code, as rows of cells (header row first, separator row dropped). */
export function tables(slug: string): string[][][] {
  const result: string[][][] = [];
  let current: string[][] | undefined;
  for (const line of scan(article(slug).body).prose) {
    if (!line.trim().startsWith('|')) {
      current = undefined;
      continue;
    }
    const cells = line
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((cell) => cell.trim());
    if (cells.every((cell) => /^:?-+:?$/.test(cell))) continue;
    if (!current) {
      current = [];
      result.push(current);
    }
    current.push(cells);
  }
  return result;
}

/** The text of `<Callout type="…">…</Callout>` blocks, by type. */
export function callouts(slug: string): { type: string; text: string }[] {
  return [...article(slug).body.matchAll(/<Callout type="([^"]+)">([\s\S]*?)<\/Callout>/g)].map((m) => ({
    type: m[1] ?? '',
    text: (m[2] ?? '').trim(),
  }));
}

/** "2026-03-10" → "March 10, 2026", as the site prints frontmatter days. */
export function formatDay(day: string): string {
  return new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

/** The pathname of an absolute or relative URL: feeds and sitemap use absolute SITE_URL links. */
export function pathOf(url: string): string {
  return new URL(url, 'http://placeholder.invalid').pathname;
}
