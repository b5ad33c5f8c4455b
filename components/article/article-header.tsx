import type { Article } from '@/lib/content/types';
import { ArticleMeta } from './article-meta';
import { TagList } from './tag-list';

export function ArticleHeader({ article }: { article: Article }) {
  return (
    <header className="mb-8">
      <TagList tags={article.tags} />
      <h1 className="mt-4 text-3xl font-bold tracking-tight text-balance text-zinc-950 sm:text-4xl dark:text-white">
        {article.title}
      </h1>
      <p className="mt-3 text-lg text-pretty text-zinc-600 sm:text-xl dark:text-zinc-300" data-dek>
        {article.description}
      </p>
      <div className="mt-4">
        <ArticleMeta article={article} />
      </div>
      {article.draft ? (
        <p className="mt-4 rounded bg-amber-100 px-3 py-1 text-sm text-amber-900 dark:bg-amber-900/40 dark:text-amber-100">
          Draft: visible in development only.
        </p>
      ) : null}
    </header>
  );
}
