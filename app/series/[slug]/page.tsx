import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ArticleCard } from '@/components/article/article-card';
import { getAllSeries, getSeries } from '@/lib/content/load';
import { alternatesFor, openGraphFor } from '@/lib/metadata';
import { paths } from '@/lib/site';

type Props = { params: Promise<{ slug: string }> };

export const dynamicParams = false;

export function generateStaticParams() {
  return getAllSeries().map(({ slug }) => ({ slug }));
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const series = getSeries((await params).slug);
  if (!series) return {};
  const title = `${series.name}: a series in ${series.parts.length} ${series.parts.length === 1 ? 'part' : 'parts'}`;
  const description = `Every part of the series “${series.name}”, in reading order.`;
  return {
    title,
    description,
    alternates: alternatesFor(paths.series(series.slug)),
    openGraph: openGraphFor(paths.series(series.slug), { title, description }),
  };
}

export default async function SeriesPage({ params }: Props) {
  const series = getSeries((await params).slug);
  if (!series) notFound();
  return (
    <div className="mx-auto max-w-3xl px-4 py-10 sm:px-6">
      <p className="text-sm font-semibold tracking-wide text-sky-700 uppercase dark:text-sky-400">Series</p>
      <h1 className="mt-1 text-3xl font-bold tracking-tight text-zinc-950 dark:text-white">{series.name}</h1>
      <p className="mt-2 text-zinc-600 dark:text-zinc-400">
        {series.parts.length} {series.parts.length === 1 ? 'part' : 'parts'}, in reading order.
      </p>
      <ol className="divide-y divide-zinc-200 dark:divide-zinc-800">
        {series.parts.map((article, index) => (
          <li key={article.slug}>
            <p className="pt-6 text-sm font-semibold text-zinc-500 dark:text-zinc-400">Part {index + 1}</p>
            <ArticleCard article={article} />
          </li>
        ))}
      </ol>
    </div>
  );
}
