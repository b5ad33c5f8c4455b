import rehypePrettyCode, { type Options as PrettyCodeOptions } from 'rehype-pretty-code';
import rehypeSlug from 'rehype-slug';
import remarkGfm from 'remark-gfm';
import type { PluggableList } from 'unified';
import { remarkDiagram } from './remark-diagram';
import { remarkPullQuote } from './remark-pull-quote';

// Shiki runs here, at build time; the browser receives coloured spans and no highlighter.
// Both themes are emitted as CSS variables so the dark theme needs no second render.
const prettyCode: PrettyCodeOptions = {
  theme: { light: 'github-light', dark: 'github-dark' },
  keepBackground: false,
  defaultLang: { block: 'text' },
};

export const remarkPlugins: PluggableList = [remarkGfm, remarkDiagram, remarkPullQuote];
export const rehypePlugins: PluggableList = [rehypeSlug, [rehypePrettyCode, prettyCode]];
