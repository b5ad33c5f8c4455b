import type { Article } from '@/lib/content/types';
import { ArticleMeta } from './article-meta';
import { TagList } from './tag-list';

export function ArticleHeader({ article }: { article: Article }) {
  return (
    // Styled as .article-header in app/styles/components.css.
    <header className="article-header">
      <TagList tags={article.tags} />
      <h1>{article.title}</h1>
      <p data-dek>{article.description}</p>
      <ArticleMeta article={article} />
      {article.draft ? (
        <p className="mt-4 rounded bg-amber-100 px-3 py-1 text-sm text-amber-900 dark:bg-amber-900/40 dark:text-amber-100">
          Draft: visible in development only.
        </p>
      ) : null}
    </header>
  );
}
