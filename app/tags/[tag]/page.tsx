import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ArticleList } from '@/components/article/article-card';
import { getAllTags, getArticlesByTag } from '@/lib/content/load';
import { paths } from '@/lib/site';
import { alternatesFor, openGraphFor } from '@/lib/metadata';

type Props = { params: Promise<{ tag: string }> };

export const dynamicParams = false;

export function generateStaticParams() {
  return getAllTags().map(({ tag }) => ({ tag }));
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { tag } = await params;
  const title = `Articles tagged #${tag}`;
  return {
    title,
    description: `Every article about ${tag.replace(/-/g, ' ')}.`,
    alternates: alternatesFor(paths.tag(tag)),
    openGraph: openGraphFor(paths.tag(tag), { title }),
  };
}

export default async function TagPage({ params }: Props) {
  const { tag } = await params;
  const articles = getArticlesByTag(tag);
  if (articles.length === 0) notFound();
  return (
    <div className="mx-auto max-w-3xl px-4 py-10 sm:px-6">
      <h1 className="text-3xl font-bold tracking-tight text-zinc-950 dark:text-white">#{tag}</h1>
      <p className="mt-2 text-zinc-600 dark:text-zinc-400">
        {articles.length} {articles.length === 1 ? 'article' : 'articles'}
      </p>
      <ArticleList articles={articles} />
    </div>
  );
}
