import { MdxContent } from '@/components/mdx/mdx-content';
import type { Article } from '@/lib/content/types';
import { paths } from '@/lib/site';
import { ArticleBody } from './article-body';
import { registerArticleBody } from './body-registry';

/**
 * The article body, rendered with the MDX components at build time and sent once: as HTML in the
 * page. Only its path crosses into the RSC payload; the HTML render reads the tree from the
 * registry, and a client-side navigation fetches it (ArticleBody). So the MDX components are
 * server components only: behaviour inside the body (Copy, links) is delegated from ArticleBody.
 */
export async function StaticArticleBody({ article, className }: { article: Article; className: string }) {
  const src = paths.article(article.slug);
  registerArticleBody(src, await MdxContent({ source: article.body, file: article.file }));
  return <ArticleBody src={src} className={className} />;
}
