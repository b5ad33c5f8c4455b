import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ContentLibrary } from './load';
import { collectSeries } from './series';
import type { Article } from './types';

/**
 * The content as `next build` loaded and validated it once, before prerendering
 * (scripts/build-search-index.ts), in <distDir>/content-snapshot/: every prerender worker reads
 * it instead of parsing and checking every article again, and the three feeds take their
 * articles' HTML (the newest FEED_ITEMS) from it instead of rendering it again. Build-scoped (the next build rewrites
 * it) and keyed by a hash of every file under content/ plus the loader's mode (directory, day,
 * visibility): a snapshot of other bytes is ignored and the loader reads the files itself.
 */

const FORMAT = 1;

type LibraryFile = { format: number; key: string; signature: string; all: Article[]; visible: string[] };
type FeedFile = { format: number; signature: string; siteUrl: string; html: Record<string, string> };

export const snapshotDir = (distDir: string) => path.join(distDir, 'content-snapshot');

/** Where `next build` writes (the project keeps Next's default distDir; lib/search/store.ts reads there too). */
export const buildDir = () => path.join(process.cwd(), '.next');

/** sha256 over every file under `dir` (names and bytes; images too, since they are checked). */
export function contentSignature(dir: string): string {
  const hash = createHash('sha256');
  let names: string[];
  try {
    names = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
  } catch {
    return 'missing';
  }
  for (const name of names) {
    const file = path.join(dir, name);
    if (!fs.statSync(file).isFile()) continue;
    hash.update(`${name}\0`).update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export function writeContentSnapshot(
  distDir: string,
  { key, signature, library, siteUrl, feedHtml }: { key: string; signature: string; library: ContentLibrary; siteUrl: string; feedHtml: Record<string, string> },
): void {
  const dir = snapshotDir(distDir);
  fs.mkdirSync(dir, { recursive: true });
  const libraryFile: LibraryFile = { format: FORMAT, key, signature, all: library.all, visible: library.articles.map((a) => a.slug) };
  const feedFile: FeedFile = { format: FORMAT, signature, siteUrl, html: feedHtml };
  fs.writeFileSync(path.join(dir, 'feed-html.json'), JSON.stringify(feedFile));
  // Last: a library file is only ever next to the feed file of the same content.
  fs.writeFileSync(path.join(dir, 'library.json'), JSON.stringify(libraryFile));
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The library the snapshot holds for exactly this key and these bytes, else undefined. */
export function readContentSnapshot(distDir: string, key: string, signature: string): ContentLibrary | undefined {
  const file = readJson<LibraryFile>(path.join(snapshotDir(distDir), 'library.json'));
  if (file?.format !== FORMAT || file.key !== key || file.signature !== signature) return undefined;
  const visible = new Set(file.visible);
  const articles = file.all.filter((a) => visible.has(a.slug));
  return { all: file.all, articles, bySlug: new Map(articles.map((a) => [a.slug, a])), series: collectSeries(articles) };
}

/** Each article's feed HTML by slug, when the snapshot was rendered for these bytes and this site URL. */
export function readSnapshotFeedHtml(distDir: string, signature: string, siteUrl: string): Record<string, string> | undefined {
  const file = readJson<FeedFile>(path.join(snapshotDir(distDir), 'feed-html.json'));
  if (file?.format !== FORMAT || file.signature !== signature || file.siteUrl !== siteUrl) return undefined;
  return file.html;
}
