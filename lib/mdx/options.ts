import rehypeKatex from 'rehype-katex';
import rehypePrettyCode, { type Options as PrettyCodeOptions } from 'rehype-pretty-code';
import rehypeSlug from 'rehype-slug';
import type { Options as RemarkRehypeOptions } from 'remark-rehype';
import type { PluggableList } from 'unified';
import { KATEX_OPTIONS } from './katex';
import { rehypeCodeCompact } from './rehype-code-compact';
import { rehypeCodeTitle } from './rehype-code-title';
import { rehypeDropBlockWhitespace } from './rehype-drop-block-whitespace';
import { remarkDiagram } from './remark-diagram';
import { remarkPullQuote } from './remark-pull-quote';
import { rehypeTableLabels } from './rehype-table-labels';
import { transformerDiffLines } from './shiki-diff';
import { CODE_THEMES, transformerTokenClasses } from './shiki-token-classes';
import { markdownSyntax } from './syntax';

// Shiki runs here, at build time; the browser receives coloured spans and no highlighter.
// Both themes' colours are one short class per token (lib/mdx/shiki-token-classes.ts), so the dark
// theme needs no second render and the colours are bytes in the stylesheet, not in every page.
const prettyCode: PrettyCodeOptions = {
  // The high-contrast GitHub themes keep every token at 4.5:1 or better on the code background (WCAG AA).
  theme: CODE_THEMES,
  keepBackground: false,
  defaultLang: { block: 'text' },
  transformers: [transformerDiffLines(), transformerTokenClasses()],
};

/**
 * GFM footnotes as remark-rehype builds them (numbered references, a list with back-links, ids
 * prefixed "user-content-"), with a visible "Notes" heading: the page and the feeds alike.
 */
export const remarkRehypeOptions: RemarkRehypeOptions = { footnoteLabel: 'Notes', footnoteLabelProperties: {} };

export const remarkPlugins: PluggableList = [...markdownSyntax, remarkDiagram, remarkPullQuote];
export const rehypePlugins: PluggableList = [
  rehypeSlug,
  rehypeTableLabels,
  // Formulas become KaTeX's HTML (what sighted readers see, styled by its stylesheet) plus MathML
  // (what screen readers read, and the fallback without the stylesheet). No script: KaTeX runs here.
  [rehypeKatex, { ...KATEX_OPTIONS, output: 'htmlAndMathml' }],
  [rehypePrettyCode, prettyCode],
  rehypeCodeTitle,
  rehypeCodeCompact,
  rehypeDropBlockWhitespace,
];
