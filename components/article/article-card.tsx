import Link from 'next/link';
import type { Article } from '@/lib/content/types';
import { formatDate } from '@/lib/format';
import { TagList } from './tag-list';
import { paths } from '@/lib/site';

type Props = { article: Article; headingLevel?: 'h2' | 'h3' };

/** An article in a list: home page, archive, tag pages, related articles. */
export function ArticleCard({ article, headingLevel: Heading = 'h2' }: Props) {
  return (
    // Styled as .article-card in app/styles/components.css: lists repeat it.
    <article className="article-card">
      <Heading>
        <Link href={paths.article(article.slug)}>{article.title}</Link>
      </Heading>
      <p>{article.description}</p>
      <p>
        <time dateTime={article.date}>{formatDate(article.date)}</time>
        {` · ${article.readingTime.text}`}
      </p>
      <TagList tags={article.tags} label={`Tags of ${article.title}`} />
    </article>
  );
}

export function ArticleList({ articles, headingLevel }: { articles: Article[]; headingLevel?: 'h2' | 'h3' }) {
  return (
    <div className="article-list">
      {articles.map((article) => (
        <ArticleCard key={article.slug} article={article} headingLevel={headingLevel} />
      ))}
    </div>
  );
}
