import type { Article } from '@/lib/content/types';
import { ArticleList } from './article-card';

export function RelatedArticles({ articles }: { articles: Article[] }) {
  if (articles.length === 0) return null;
  return (
    <section aria-labelledby="related-heading" className="related-articles">
      <h2 id="related-heading">Related articles</h2>
      <ArticleList articles={articles} headingLevel="h3" />
    </section>
  );
}
