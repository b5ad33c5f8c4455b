import type { Frontmatter } from './schema';

export type Heading = { depth: 2 | 3; text: string; id: string };

export type Article = Frontmatter & {
  /** The file name without `.mdx`; the article lives at /articles/<slug>. */
  slug: string;
  /** Path relative to the project root, for error messages. */
  file: string;
  /** The MDX source without its frontmatter. */
  body: string;
  readingTime: { minutes: number; words: number; text: string };
  headings: Heading[];
};
