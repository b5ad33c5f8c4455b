import Link from 'next/link';
import type { Article } from '@/lib/content/types';
import { formatDate } from '@/lib/format';
import { TagList } from './tag-list';
import { paths } from '@/lib/site';

type Props = { article: Article; headingLevel?: 'h2' | 'h3' };

/** An article in a list: home page, archive, tag pages, related articles. */
export function ArticleCard({ article, headingLevel: Heading = 'h2' }: Props) {
  return (
    <article className="py-6">
      <Heading className="text-xl font-semibold tracking-tight text-zinc-950 dark:text-white">
        <Link href={paths.article(article.slug)} className="hover:underline">
          {article.title}
        </Link>
      </Heading>
      <p className="mt-2 text-zinc-600 dark:text-zinc-400">{article.description}</p>
      <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">
        <time dateTime={article.date}>{formatDate(article.date)}</time> · {article.readingTime.text}
      </p>
      <div className="mt-3">
        <TagList tags={article.tags} label={`Tags of ${article.title}`} />
      </div>
    </article>
  );
}

export function ArticleList({ articles, headingLevel }: { articles: Article[]; headingLevel?: 'h2' | 'h3' }) {
  return (
    <div className="divide-y divide-zinc-200 dark:divide-zinc-800">
      {articles.map((article) => (
        <ArticleCard key={article.slug} article={article} headingLevel={headingLevel} />
      ))}
    </div>
  );
}
