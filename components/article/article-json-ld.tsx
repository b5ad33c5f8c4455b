import { seriesSlug } from '@/lib/content/series';
import type { Article } from '@/lib/content/types';
import { absoluteUrl, paths, site } from '@/lib/site';

/** schema.org Article data for search engines. `<` is escaped so text can never close the script. */
export function ArticleJsonLd({ article }: { article: Article }) {
  const url = absoluteUrl(paths.article(article.slug));
  const data = {
    '@context': 'https://schema.org',
    '@type': 'Article',
    headline: article.title,
    description: article.description,
    datePublished: article.date,
    dateModified: article.updated ?? article.date,
    author: { '@type': 'Person', name: article.author },
    publisher: { '@type': 'Organization', name: site.name, url: site.url },
    mainEntityOfPage: { '@type': 'WebPage', '@id': url },
    url,
    image: absoluteUrl(`/articles/${article.slug}/opengraph-image`),
    keywords: article.tags.join(', '),
    wordCount: article.readingTime.words,
    // A part of a series: schema.org's CreativeWorkSeries, with the part number as position.
    ...(article.series
      ? {
          isPartOf: { '@type': 'CreativeWorkSeries', name: article.series.name, url: absoluteUrl(paths.series(seriesSlug(article.series))) },
          position: article.series.part,
        }
      : {}),
  };
  return (
    <script
      type="application/ld+json"
      dangerouslySetInnerHTML={{ __html: JSON.stringify(data).replace(/</g, '\\u003c') }}
    />
  );
}
