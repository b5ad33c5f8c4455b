import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ArticleHeader } from '@/components/article/article-header';
import { ArticleJsonLd } from '@/components/article/article-json-ld';
import { NextUp } from '@/components/article/next-up';
import { RelatedArticles } from '@/components/article/related-articles';
import { SeriesBox } from '@/components/article/series-box';
import { StaticArticleBody } from '@/components/article/static-article-body';
import {
  hasTableOfContents,
  MobileTableOfContents,
  SidebarTableOfContents,
} from '@/components/article/table-of-contents';
import { Takeaways } from '@/components/article/takeaways';
import { RssPrompt } from '@/components/newsletter/rss-prompt';
import { SubscribeSection } from '@/components/newsletter/subscribe-section';
import { getAllArticles, getArticle, getNextArticle, getRelatedArticles, getSeriesPlacement } from '@/lib/content/load';
import { KATEX_STYLESHEET } from '@/lib/mdx/katex';
import { paths } from '@/lib/site';
import { alternatesFor, articleOpenGraph } from '@/lib/metadata';

type Props = { params: Promise<{ slug: string }> };

// Only the articles known at build time exist; any other slug is a 404, not a render attempt.
export const dynamicParams = false;

export function generateStaticParams() {
  return getAllArticles().map((article) => ({ slug: article.slug }));
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const article = getArticle((await params).slug);
  if (!article) return {};
  const url = paths.article(article.slug);
  return {
    title: article.title,
    description: article.description,
    authors: [{ name: article.author }],
    keywords: article.tags,
    alternates: alternatesFor(url),
    openGraph: articleOpenGraph(url, {
      title: article.title,
      description: article.description,
      publishedTime: article.date,
      modifiedTime: article.updated ?? article.date,
      authors: [article.author],
      tags: article.tags,
    }),
    twitter: { card: 'summary_large_image', title: article.title, description: article.description },
  };
}

export default async function ArticlePage({ params }: Props) {
  const article = getArticle((await params).slug);
  if (!article) notFound();
  const next = getNextArticle(article);
  const related = getRelatedArticles(article);
  const placement = getSeriesPlacement(article);
  // The series' next part is the natural next read (getNextArticle falls back to it); say so.
  const nextLabel = next !== undefined && next.slug === placement?.next?.slug ? `Next in ${placement.series.name}:` : undefined;
  const toc = hasTableOfContents(article.headings);

  return (
    // The page's frame is styled by class in app/styles/components.css (.article-page): fewer bytes
    // in the HTML and again in the RSC payload.
    <div className="article-page">
      <ArticleJsonLd article={article} />
      {/* KaTeX's stylesheet (and through it, its fonts) only where there are formulas to typeset:
          React hoists it into <head>; every other article loads none of it. */}
      {article.hasMath ? <link rel="stylesheet" href={KATEX_STYLESHEET} precedence="katex" /> : null}
      <div className={toc ? 'with-toc' : undefined}>
        <article>
          <ArticleHeader article={article} />
          {placement ? <SeriesBox article={article} placement={placement} /> : null}
          <Takeaways items={article.takeaways} />
          {toc ? <MobileTableOfContents headings={article.headings} /> : null}
          <StaticArticleBody
            article={article}
            className="prose prose-zinc max-w-none dark:prose-invert prose-headings:tracking-tight prose-a:text-sky-700 dark:prose-a:text-sky-400"
          />
          {next ? (
            <nav aria-label="Next article">
              <NextUp article={next} label={nextLabel} />
            </nav>
          ) : null}
        </article>
        {toc ? <SidebarTableOfContents headings={article.headings} /> : null}
      </div>
      <div>
        <RelatedArticles articles={related} />
        <div>
          <SubscribeSection source={`article:${article.slug}`} />
          <RssPrompt />
        </div>
      </div>
    </div>
  );
}
