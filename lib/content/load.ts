// Over 300 lines on purpose: loading, checking and caching the articles share one pass over the files and one error list.
import fs from 'node:fs';
import path from 'node:path';
import type { Root } from 'mdast';
import { ContentError, type ContentProblem } from './errors';
import { type FieldLine, parseFrontmatter } from './frontmatter';
import type { ArticleImage } from './check-images';
import { type ArticleLink, analyzeBody } from './mdx';
import { compareNewestFirst, rankRelated } from './related';
import { isSlug } from './schema';
import { buildDir, contentSignature, readContentSnapshot } from './snapshot';
import { articleStatus, utcDay } from './status';
import { checkSeries, collectSeries, placeInSeries, type Series, type SeriesPlacement } from './series';
import type { Article, ArticleStatus, TagCount } from './types';
import { env } from '../env';
import { forgetProcessSingleton, processSingleton } from '../process-singleton';

/**
 * The content loader: reads `content/*.mdx`, validates every file and the links between them,
 * and answers the site's questions (all articles, one article, tags, related, next).
 * Server-only: it reads the file system. Every problem ends up in one ContentError.
 */

export type LoadOptions = {
  /** Directory of `*.mdx` files. Default: `<cwd>/content`. */
  dir?: string;
  /** Show `draft: true` articles. Default: only when NODE_ENV is "development". */
  includeDrafts?: boolean;
  /** Show articles dated after today. Default: same as includeDrafts (editors preview both). */
  includeScheduled?: boolean;
  /** "Today" for scheduling, compared by UTC calendar day. Default: now. */
  now?: Date;
  /** Error messages name files relative to this. Default: cwd. */
  root?: string;
  /**
   * Called with each article and its parsed MDX tree as it is read, so a consumer (the search
   * index) can read the tree without parsing the body a second time. Uncached: it disables the
   * process cache below.
   */
  onParsed?: (article: Article, tree: Root) => void;
};

type Mode = { includeDrafts: boolean; includeScheduled: boolean; today: string };

/** One file as read: its article when the frontmatter is valid, plus what link checks need. */
export type ParsedArticleFile = {
  file: string;
  slug: string;
  /** Undefined when the frontmatter is invalid (its problems are in `problems`). */
  article: Article | undefined;
  links: ArticleLink[];
  /** The image files it shows, each checked (exists, size, type, no script). */
  images: ArticleImage[];
  anchors: Set<string>;
  body: string;
  bodyLineOffset: number;
  /** Whether the body parsed as MDX (compile checks only make sense then). */
  bodyParsed: boolean;
  /** Where each frontmatter field is written, for the reference checks' problems. */
  fieldLine: FieldLine;
};

export type ContentLibrary = {
  /** Every article in the directory, whatever its status, newest first. */
  all: Article[];
  /** The articles readers see in this mode, newest first. */
  articles: Article[];
  bySlug: Map<string, Article>;
  /** The series readers can see, by slug, each with its visible parts in order. */
  series: Map<string, Series>;
};

export function defaultContentDir(): string {
  return path.join(process.cwd(), 'content');
}

function resolveMode(options: LoadOptions): Mode {
  const development = env.NODE_ENV === 'development';
  const includeDrafts = options.includeDrafts ?? development;
  return {
    includeDrafts,
    includeScheduled: options.includeScheduled ?? includeDrafts,
    today: utcDay(options.now ?? new Date()),
  };
}

// In a module of their own: next.config.ts needs them too (lib/content/published-slugs.ts).
export { articleStatus, utcDay } from './status';

function isVisible(status: ArticleStatus, mode: Mode): boolean {
  if (status === 'draft') return mode.includeDrafts;
  if (status === 'scheduled') return mode.includeScheduled;
  return true;
}

/**
 * Reads and parses every `*.mdx` file in `dir`, returning each file and every per-file problem
 * (frontmatter, MDX syntax, authoring contract). Cross-file checks are `checkReferences`.
 */
export function readContentDirectory(
  dir: string,
  {
    root = process.cwd(),
    today = utcDay(new Date()),
    onParsed,
  }: { root?: string; today?: string; onParsed?: LoadOptions['onParsed'] } = {},
): { files: ParsedArticleFile[]; problems: ContentProblem[] } {
  const relative = (absolute: string) => {
    const rel = path.relative(root, absolute);
    return (rel.startsWith('..') || path.isAbsolute(rel) ? absolute : rel).split(path.sep).join('/');
  };

  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return { files: [], problems: [{ file: relative(dir), message: 'content directory not found: expected a folder of *.mdx articles' }] };
  }

  const files: ParsedArticleFile[] = [];
  const problems: ContentProblem[] = [];
  const names = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.mdx'))
    .map((entry) => entry.name)
    .sort();

  for (const name of names) {
    const file = relative(path.join(dir, name));
    const slug = name.slice(0, -'.mdx'.length);
    const slugOk = isSlug(slug);
    if (!slugOk) {
      problems.push({
        file,
        message: `file name: expected a lowercase slug such as "distributed-systems.mdx", got "${name}"`,
      });
    }

    const raw = fs.readFileSync(path.join(dir, name), 'utf8');
    const frontmatter = parseFrontmatter(raw, file);
    const analysis = analyzeBody(frontmatter.body, {
      file,
      lineOffset: frontmatter.bodyLineOffset,
      extraText: frontmatter.data?.takeaways ?? [],
      images: { articlePath: path.join(dir, name), contentDir: dir, display: relative },
    });
    problems.push(...frontmatter.problems, ...analysis.problems);

    const data = frontmatter.data;
    const article: Article | undefined =
      data === undefined
        ? undefined
        : {
            ...data,
            slug,
            file,
            body: frontmatter.body,
            readingTime: analysis.readingTime,
            headings: analysis.headings,
            hasMath: analysis.hasMath,
            status: articleStatus(data, today),
          };
    // A file whose name is not a slug has no URL, so it takes no part in the site or in link checks.
    if (!slugOk) continue;
    if (article !== undefined && analysis.tree !== undefined) onParsed?.(article, analysis.tree);
    files.push({
      file,
      slug,
      article,
      links: analysis.links,
      images: analysis.images,
      anchors: analysis.anchors,
      body: frontmatter.body,
      bodyLineOffset: frontmatter.bodyLineOffset,
      bodyParsed: analysis.tree !== undefined,
      fieldLine: frontmatter.fieldLine,
    });
  }
  return { files, problems };
}

/**
 * Cross-file checks: every `related`, `next` and `/articles/…` link points at an existing
 * article (and heading, for `#hash` links); and an article readers can see never points at one
 * they can't (a draft, or scheduled for later) — that would be a dead link.
 */
export function checkReferences(
  files: readonly ParsedArticleFile[],
  visible: (article: Article) => boolean,
): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const bySlug = new Map(files.map((f) => [f.slug, f]));

  const hiddenReason = (target: Article) =>
    target.status === 'draft'
      ? `"${target.slug}" is a draft, so readers would hit a dead link; publish it or remove the reference`
      : `"${target.slug}" is scheduled for ${target.date}, so readers would hit a dead link until then; publish it or remove the reference`;

  for (const source of files) {
    const article = source.article;
    const sourceVisible = article !== undefined && visible(article);

    const checkTarget = (slug: string, where: Omit<ContentProblem, 'message'>, prefix: string) => {
      if (slug === source.slug) {
        problems.push({ ...where, message: `${prefix}an article cannot point at itself` });
        return undefined;
      }
      const target = bySlug.get(slug);
      if (target === undefined) {
        problems.push({ ...where, message: `${prefix}no article with slug "${slug}"` });
        return undefined;
      }
      if (sourceVisible && target.article !== undefined && !visible(target.article)) {
        problems.push({ ...where, message: `${prefix}${hiddenReason(target.article)}` });
      }
      return target;
    };

    if (article !== undefined) {
      article.related.forEach((slug, index) => {
        checkTarget(slug, { file: source.file, line: source.fieldLine(['related', index]), field: `related[${index}]` }, '');
      });
      if (article.next !== undefined) {
        checkTarget(article.next, { file: source.file, line: source.fieldLine(['next']), field: 'next' }, '');
      }
    }

    for (const link of source.links) {
      const target = checkTarget(link.slug, { file: source.file, line: link.line }, `link to ${link.href}: `);
      if (target !== undefined && link.hash !== undefined && !target.anchors.has(link.hash)) {
        problems.push({
          file: source.file,
          line: link.line,
          message: `link to ${link.href}: "${link.slug}" has no heading with id "${link.hash}"`,
        });
      }
    }
  }
  problems.push(...checkSeries(files, visible));
  return problems;
}

/** Loads, validates and filters the content. Throws one ContentError listing every problem. */
export function loadContent(options: LoadOptions = {}): ContentLibrary {
  const mode = resolveMode(options);
  const dir = options.dir ?? defaultContentDir();
  const { files, problems } = readContentDirectory(dir, { root: options.root, today: mode.today, onParsed: options.onParsed });
  const visible = (article: Article) => isVisible(article.status, mode);
  problems.push(...checkReferences(files, visible));
  if (problems.length > 0) throw new ContentError(problems);

  const all = files.flatMap((f) => (f.article ? [f.article] : [])).sort(compareNewestFirst);
  const articles = all.filter(visible);
  return { all, articles, bySlug: new Map(articles.map((a) => [a.slug, a])), series: collectSeries(articles) };
}

// Production builds and servers read the content once per process. In development a load costs
// ~100 ms and a page asks several times (metadata, page, next, related), so the result is kept
// while no file changed: a stat per file is cheap, and an editor's save shows on the next refresh.
// Tests and other modes always re-read. In production one memo per process, not per bundle: Next
// bundles routes (pages, feeds, sitemap, OG images) separately, and each would load everything
// again; in development a module-level one, so an edit to this code is not served a stale library.
type Memo = Map<string, { signature: string; library: ContentLibrary }>;
const bundleMemo: Memo = new Map();
const memo = (): Memo => (env.NODE_ENV === 'production' ? processSingleton<Memo>('content-library', () => new Map()) : bundleMemo);

/** Tests only: the next production load reads again. */
export function forgetContentLibrary(): void {
  forgetProcessSingleton('content-library');
}

// Every file under the directory, images in subfolders included: fixing or removing an image
// must re-run its checks as editing an article does.
function directorySignature(dir: string): string {
  try {
    return fs
      .readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .sort()
      .map((name) => {
        const stat = fs.statSync(path.join(dir, name));
        return stat.isFile() ? `${name}:${stat.mtimeMs}:${stat.size}` : '';
      })
      .join('|');
  } catch {
    return 'missing';
  }
}

/** What a loaded library depends on besides the files: the directory, the root, the mode (day included). */
export function contentLibraryKey(options: LoadOptions = {}): string {
  return JSON.stringify([options.dir ?? defaultContentDir(), options.root ?? process.cwd(), resolveMode(options)]);
}

function library(options: LoadOptions = {}): ContentLibrary {
  const nodeEnv = env.NODE_ENV;
  if ((nodeEnv !== 'production' && nodeEnv !== 'development') || options.onParsed) return loadContent(options);
  const dir = options.dir ?? defaultContentDir();
  const key = contentLibraryKey(options);
  const signature = nodeEnv === 'production' ? '' : directorySignature(dir);
  const cached = memo().get(key);
  if (cached !== undefined && cached.signature === signature) return cached.library;
  // A production build loaded and checked these very files once already (lib/content/snapshot.ts).
  const loaded = (nodeEnv === 'production' ? readContentSnapshot(buildDir(), key, contentSignature(dir)) : undefined) ?? loadContent(options);
  memo().set(key, { signature, library: loaded });
  return loaded;
}

/** Every article readers can see, newest first (same day: by title). */
export function getAllArticles(options?: LoadOptions): Article[] {
  return library(options).articles;
}

/** The article at /articles/<slug>, or undefined when there is none readers can see. */
export function getArticle(slug: string, options?: LoadOptions): Article | undefined {
  return library(options).bySlug.get(slug);
}

/** Visible articles with `tag`, newest first. */
export function getArticlesByTag(tag: string, options?: LoadOptions): Article[] {
  return library(options).articles.filter((article) => article.tags.includes(tag));
}

/** Tags of visible articles with their counts, most used first, then by name. */
export function getAllTags(options?: LoadOptions): TagCount[] {
  const counts = new Map<string, number>();
  for (const article of library(options).articles) {
    for (const tag of article.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  }
  return [...counts]
    .map(([tag, count]) => ({ tag, count }))
    .sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag, 'en'));
}

/** The editor's `related` picks first, then articles sharing the most tags; see rankRelated. */
export function getRelatedArticles(article: Article, limit = 3, options?: LoadOptions): Article[] {
  return rankRelated(article, library(options).articles, limit);
}

/**
 * The "Next up" article: the one the editor named in `next`, else the next part of the article's
 * series (the natural next read), when readers can see it.
 */
export function getNextArticle(article: Article, options?: LoadOptions): Article | undefined {
  if (article.next !== undefined) return getArticle(article.next, options);
  return getSeriesPlacement(article, options)?.next;
}

/** Every series readers can see, by name. */
export function getAllSeries(options?: LoadOptions): Series[] {
  return [...library(options).series.values()].sort((a, b) => a.name.localeCompare(b.name, 'en'));
}

/** The series at /series/<slug>, or undefined when readers can see none of its parts. */
export function getSeries(slug: string, options?: LoadOptions): Series | undefined {
  return library(options).series.get(slug);
}

/** "Part 2 of 4" and the neighbouring parts, when the article is in a series readers can see. */
export function getSeriesPlacement(article: Article, options?: LoadOptions): SeriesPlacement | undefined {
  return placeInSeries(article, library(options).series);
}
