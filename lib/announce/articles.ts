import { loadContent } from '../content/load';
import type { Article } from '../content/types';
import { getDb } from '../db';
import type { PrismaClient } from '../generated/prisma/client';
import { absoluteUrl, paths } from '../site';
import { ArticleNotAnnounceableError } from './errors';

/**
 * Which articles an announcement is about. Visibility is always production's (not a draft, dated
 * today or earlier, UTC), whatever NODE_ENV says: `npm run announce` on an editor's machine, where
 * development shows drafts and scheduled articles, must never mail one of them.
 */

export type ContentOptions = {
  /** Folder of *.mdx files; default <cwd>/content. */
  contentDir?: string;
  /** "Today" for scheduled articles; default now. */
  now?: Date;
};

export type AnnounceableArticle = Pick<Article, 'slug' | 'title' | 'description' | 'takeaways' | 'date'>;

function library(options: ContentOptions) {
  return loadContent({ dir: options.contentDir, includeDrafts: false, includeScheduled: false, now: options.now });
}

/** Every published article, newest first. Throws ContentError when the content does not validate. */
export function publishedArticles(options: ContentOptions = {}): AnnounceableArticle[] {
  return library(options).articles;
}

/** The published article `slug`, or ArticleNotAnnounceableError saying why not (unknown, draft, scheduled). */
export function publishedArticle(slug: string, options: ContentOptions = {}): AnnounceableArticle {
  const content = library(options);
  const article = content.bySlug.get(slug);
  if (article) return article;
  const hidden = content.all.find((candidate) => candidate.slug === slug);
  if (!hidden) throw new ArticleNotAnnounceableError(slug, 'unknown');
  throw new ArticleNotAnnounceableError(slug, hidden.status === 'draft' ? 'draft' : 'scheduled', hidden.date);
}

/** Published articles that have no Announcement row yet (neither sent nor backfilled), oldest first. */
export async function findUnannounced(
  options: ContentOptions & { db?: PrismaClient; articles?: readonly AnnounceableArticle[] } = {},
): Promise<AnnounceableArticle[]> {
  const db = options.db ?? getDb();
  const articles = options.articles ?? publishedArticles(options);
  if (articles.length === 0) return [];
  const slugs = articles.map((article) => article.slug);
  const rows = await db.$queryRaw<{ slug: string }[]>`
    SELECT article_slug AS slug FROM announcements WHERE article_slug = ANY(${slugs}::text[])`;
  const announced = new Set(rows.map((row) => row.slug));
  return articles.filter((article) => !announced.has(article.slug)).reverse();
}

export function articleUrl(slug: string): string {
  return absoluteUrl(paths.article(slug));
}
