import rehypePrettyCode, { type Options as PrettyCodeOptions } from 'rehype-pretty-code';
import rehypeSlug from 'rehype-slug';
import remarkGfm from 'remark-gfm';
import type { PluggableList } from 'unified';
import { remarkDiagram } from './remark-diagram';
import { remarkPullQuote } from './remark-pull-quote';
import { rehypeTableLabels } from './rehype-table-labels';

// Shiki runs here, at build time; the browser receives coloured spans and no highlighter.
// Both themes are emitted as CSS variables so the dark theme needs no second render.
const prettyCode: PrettyCodeOptions = {
  // The high-contrast GitHub themes keep every token at 4.5:1 or better on the code background (WCAG AA).
  theme: { light: 'github-light-high-contrast', dark: 'github-dark-high-contrast' },
  keepBackground: false,
  defaultLang: { block: 'text' },
};

export const remarkPlugins: PluggableList = [remarkGfm, remarkDiagram, remarkPullQuote];
export const rehypePlugins: PluggableList = [rehypeSlug, rehypeTableLabels, [rehypePrettyCode, prettyCode]];
