import type { MetadataRoute } from 'next';
import { getAllArticles, getAllSeries, getAllTags } from '@/lib/content/load';
import { absoluteUrl, paths } from '@/lib/site';

export default function sitemap(): MetadataRoute.Sitemap {
  const articles = getAllArticles();
  const newest = articles[0]?.updated ?? articles[0]?.date;
  return [
    { url: absoluteUrl('/'), lastModified: newest, changeFrequency: 'weekly', priority: 1 },
    { url: absoluteUrl('/articles'), lastModified: newest, changeFrequency: 'weekly', priority: 0.7 },
    { url: absoluteUrl('/tags'), changeFrequency: 'weekly', priority: 0.3 },
    ...articles.map((article) => ({
      url: absoluteUrl(paths.article(article.slug)),
      lastModified: article.updated ?? article.date,
      changeFrequency: 'monthly' as const,
      priority: 0.8,
    })),
    ...getAllSeries().map((series) => ({
      url: absoluteUrl(paths.series(series.slug)),
      lastModified: series.parts.map((part) => part.updated ?? part.date).sort().at(-1),
      changeFrequency: 'weekly' as const,
      priority: 0.5,
    })),
    ...getAllTags().map(({ tag }) => ({
      url: absoluteUrl(paths.tag(tag)),
      changeFrequency: 'weekly' as const,
      priority: 0.4,
    })),
  ];
}
