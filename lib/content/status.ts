import type { Article, ArticleStatus } from './types';

export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function articleStatus(article: Pick<Article, 'draft' | 'date'>, today: string): ArticleStatus {
  if (article.draft) return 'draft';
  return article.date > today ? 'scheduled' : 'published';
}
