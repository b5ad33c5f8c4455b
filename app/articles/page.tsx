import type { Metadata } from 'next';
import Link from 'next/link';
import { getAllArticles } from '@/lib/content/load';
import { formatDate } from '@/lib/format';
import { paths } from '@/lib/site';
import { alternatesFor, openGraphFor } from '@/lib/metadata';

export const metadata: Metadata = {
  title: 'Archive',
  description: 'Every article, newest first.',
  alternates: alternatesFor('/articles'),
  openGraph: openGraphFor('/articles', { title: 'Archive' }),
};

/** Every article grouped by year: the page a reader scans to find an old piece. */
export default function ArchivePage() {
  const articles = getAllArticles();
  const years = new Map<string, typeof articles>();
  for (const article of articles) {
    const year = article.date.slice(0, 4);
    years.set(year, [...(years.get(year) ?? []), article]);
  }
  return (
    <div className="mx-auto max-w-3xl px-4 py-10 sm:px-6">
      <h1 className="text-3xl font-bold tracking-tight text-zinc-950 dark:text-white">Archive</h1>
      <p className="mt-2 text-zinc-600 dark:text-zinc-400">
        {articles.length} {articles.length === 1 ? 'article' : 'articles'}, newest first.
      </p>
      {[...years].map(([year, items]) => (
        <section key={year} aria-labelledby={`year-${year}`} className="mt-8">
          <h2 id={`year-${year}`} className="text-lg font-semibold text-zinc-900 dark:text-zinc-100">
            {year}
          </h2>
          <ul className="mt-3 space-y-3">
            {items.map((article) => (
              <li key={article.slug} className="flex flex-col gap-0.5 sm:flex-row sm:gap-4">
                <time dateTime={article.date} className="shrink-0 text-sm text-zinc-500 tabular-nums sm:w-36 dark:text-zinc-400">
                  {formatDate(article.date)}
                </time>
                <Link href={paths.article(article.slug)} className="font-medium text-zinc-900 hover:underline dark:text-zinc-100">
                  {article.title}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
