import type { Frontmatter } from './schema';

export type Heading = { depth: 2 | 3; text: string; id: string };

/**
 * `published`: readers see it. `draft`: `draft: true`, seen only in development.
 * `scheduled`: dated after today (UTC), seen only in development until its day comes.
 * A draft with a future date counts as a draft.
 */
export type ArticleStatus = 'published' | 'draft' | 'scheduled';

export type Article = Frontmatter & {
  /** The file name without `.mdx`; the article lives at /articles/<slug>. */
  slug: string;
  /** Path relative to the project root, for error messages. */
  file: string;
  /** The MDX source without its frontmatter. */
  body: string;
  readingTime: { minutes: number; words: number; text: string };
  headings: Heading[];
  /** The body has a formula ($…$, $$…$$ or ```math): the page links KaTeX's stylesheet. */
  hasMath: boolean;
  status: ArticleStatus;
};

export type TagCount = { tag: string; count: number };
