import Link from 'next/link';
import type { Article } from '@/lib/content/types';
import { paths } from '@/lib/site';

/** `label`: "Next up:" by default; the article page says "Next in <series>:" for the series' next part. */
export function NextUp({ article, label = 'Next up:' }: { article: Pick<Article, 'slug' | 'title' | 'description'>; label?: string }) {
  return (
    // Styled as .next-up in app/styles/components.css.
    <Link href={paths.article(article.slug)} className="next-up">
      <span>{label}</span> <span>{article.title}</span>
      <span> — {article.description}</span>
    </Link>
  );
}
