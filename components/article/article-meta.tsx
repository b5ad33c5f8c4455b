import { formatDate } from '@/lib/format';
import type { Article } from '@/lib/content/types';

/** Author, dates and reading time: the byline under an article's title. */
export function ArticleMeta({ article }: { article: Pick<Article, 'author' | 'date' | 'updated' | 'readingTime'> }) {
  return (
    // Styled as .article-meta in app/styles/components.css.
    <p className="article-meta">
      <span>
        By <b>{article.author}</b>
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
