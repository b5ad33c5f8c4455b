import Link from 'next/link';
import type { Article } from '@/lib/content/types';
import { paths } from '@/lib/site';

/** `label`: "Next up:" by default; the article page says "Next in <series>:" for the series' next part. */
export function NextUp({ article, label = 'Next up:' }: { article: Pick<Article, 'slug' | 'title' | 'description'>; label?: string }) {
  return (
    <Link
      href={paths.article(article.slug)}
      className="next-up group block rounded-xl border border-zinc-200 p-5 hover:border-sky-400 dark:border-zinc-800 dark:hover:border-sky-700"
    >
      <span className="text-sm font-semibold text-sky-700 dark:text-sky-400">{label}</span>{' '}
      <span className="font-semibold text-zinc-900 group-hover:underline dark:text-zinc-50">{article.title}</span>
      <span className="text-zinc-600 dark:text-zinc-400"> — {article.description}</span>
    </Link>
  );
}
