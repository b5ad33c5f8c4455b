import type { Metadata } from 'next';
import Link from 'next/link';
import { ArticleList } from '@/components/article/article-card';
import { RssPrompt } from '@/components/newsletter/rss-prompt';
import { SubscribeSection } from '@/components/newsletter/subscribe-section';
import { getAllArticles } from '@/lib/content/load';
import { alternatesFor, openGraphFor } from '@/lib/metadata';
import { site } from '@/lib/site';

const HOME_ARTICLE_COUNT = 10;

export const metadata: Metadata = { alternates: alternatesFor('/'), openGraph: openGraphFor('/') };

export default function HomePage() {
  const articles = getAllArticles();
  return (
    <div className="mx-auto max-w-3xl px-4 py-10 sm:px-6">
      <header className="mb-6">
        <h1 className="text-3xl font-bold tracking-tight text-zinc-950 sm:text-4xl dark:text-white">{site.name}</h1>
        <p className="mt-3 text-lg text-zinc-600 dark:text-zinc-300">{site.description}</p>
      </header>
      <section aria-labelledby="latest-heading">
        <h2 id="latest-heading" className="sr-only">
          Latest articles
        </h2>
        <ArticleList articles={articles.slice(0, HOME_ARTICLE_COUNT)} />
      </section>
      {articles.length > HOME_ARTICLE_COUNT ? (
        <p className="mt-4">
          <Link href="/articles" className="font-medium text-sky-700 hover:underline dark:text-sky-400">
            All {articles.length} articles →
          </Link>
        </p>
      ) : null}
      <div className="mt-12">
        <SubscribeSection source="home" />
        <RssPrompt />
      </div>
    </div>
  );
}
