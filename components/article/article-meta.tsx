import { formatDate } from '@/lib/format';
import type { Article } from '@/lib/content/types';

/** Author, dates and reading time: the byline under an article's title. */
export function ArticleMeta({ article }: { article: Pick<Article, 'author' | 'date' | 'updated' | 'readingTime'> }) {
  return (
    <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-zinc-600 dark:text-zinc-400">
      <span>
        By <span className="font-medium text-zinc-800 dark:text-zinc-200">{article.author}</span>
      </span>
      <span aria-hidden="true">·</span>
      <span>
        Published <time dateTime={article.date}>{formatDate(article.date)}</time>
      </span>
      {article.updated ? (
        <>
          <span aria-hidden="true">·</span>
          <span>
            Updated <time dateTime={article.updated}>{formatDate(article.updated)}</time>
          </span>
        </>
      ) : null}
      <span aria-hidden="true">·</span>
      <span>{article.readingTime.text}</span>
    </p>
  );
}
