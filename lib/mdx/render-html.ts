import type { Element, ElementContent, Properties, Root as HastRoot } from 'hast';
import { toHtml } from 'hast-util-to-html';
import type { Root as MdastRoot } from 'mdast';
import type { MdxJsxAttribute, MdxJsxFlowElement, MdxJsxTextElement } from 'mdast-util-mdx-jsx';
import { phrasing } from 'mdast-util-phrasing';
import { find, html } from 'property-information';
import remarkMdx from 'remark-mdx';
import remarkParse from 'remark-parse';
import rehypeKatex from 'rehype-katex';
import remarkRehype, { defaultHandlers, type Options as RemarkRehypeOptions } from 'remark-rehype';
import rehypeSlug from 'rehype-slug';
import { unified } from 'unified';
import { isHtmlElementName } from '@/lib/content/html-allowlist';
import { parseCodeMeta } from '@/lib/content/code-meta';
import type { CalloutType } from '@/lib/content/mdx-contract';
import { CALLOUT_LABELS } from '@/lib/mdx/callout-labels';
import { KATEX_OPTIONS } from './katex';
import { remarkPlugins, remarkRehypeOptions } from './options';
import { remarkImages } from './remark-images';
import { remarkUnravelJsx } from './remark-unravel-jsx';
import { sanitizeFeedHast } from './sanitize-feed';

type State = Parameters<NonNullable<NonNullable<RemarkRehypeOptions['handlers']>['blockquote']>>[0];

function attribute(node: MdxJsxFlowElement | MdxJsxTextElement, name: string): string {
  const found = node.attributes.find((a): a is MdxJsxAttribute => a.type === 'mdxJsxAttribute' && a.name === name);
  return typeof found?.value === 'string' ? found.value : '';
}

function el(tagName: string, properties: Element['properties'], children: ElementContent[]): Element {
  return { type: 'element', tagName, properties, children };
}

/**
 * A lower-case JSX element as that HTML element, with its plain-text attributes. Expression
 * and spread attributes are dropped, as next-mdx-remote's blockJS drops them on the page.
 * Whatever the element or attribute, the sanitizer decides what stays.
 */
function htmlElement(node: MdxJsxFlowElement | MdxJsxTextElement, children: ElementContent[]): Element {
  const properties: Properties = {};
  for (const a of node.attributes) {
    if (a.type !== 'mdxJsxAttribute' || (a.value !== null && typeof a.value !== 'string')) continue;
    const info = find(html, a.name);
    properties[info.property] = a.value === null ? true : info.spaceSeparated ? a.value.split(/\s+/).filter(Boolean) : a.value;
  }
  return el((node.name ?? '').toLowerCase(), properties, children);
}

/**
 * The same MDX components as the web page, as plain HTML elements with no React and no
 * classes: feed readers and email clients strip styles and scripts anyway.
 */
function mdxJsxElement(state: State, node: MdxJsxFlowElement | MdxJsxTextElement): Element | ElementContent[] {
  const children = state.all(node as never) as ElementContent[];
  if (node.name !== null && isHtmlElementName(node.name)) return htmlElement(node, children);
  switch (node.name) {
    case 'Callout': {
      const type = (attribute(node, 'type') || 'note') as CalloutType;
      const label = CALLOUT_LABELS[type] ?? CALLOUT_LABELS.note;
      // The label goes inside the first paragraph so it reads "Key insight: …" as on the page.
      const strong = el('strong', {}, [{ type: 'text', value: label }]);
      const space = { type: 'text', value: ' ' } as const;
      const first = children[0];
      if (first?.type === 'element' && first.tagName === 'p') {
        first.children.unshift(strong, space);
        return el('blockquote', {}, children);
      }
      // A one-line callout holds text, not paragraphs: it is one paragraph.
      if (node.children.every((child) => phrasing(child))) return el('blockquote', {}, [el('p', {}, [strong, space, ...children])]);
      return el('blockquote', {}, [el('p', {}, [strong]), ...children]);
    }
    case 'Diagram':
      return el('figure', {}, [
        el('pre', { role: 'img', ariaLabel: attribute(node, 'label') }, [{ type: 'text', value: attribute(node, 'code') }]),
      ]);
    case 'PullQuote':
      return el('figure', {}, [
        el('blockquote', {}, children),
        el('figcaption', {}, [{ type: 'text', value: `— ${attribute(node, 'cite')}` }]),
      ]);
    default:
      return children;
  }
}

// `{expressions}`, imports and exports render nothing, as on the page (next-mdx-remote's blockJS
// and its import/export removal), rather than their source code as text.
const nothing = () => undefined;

/**
 * A code block as plain <pre><code> (feed readers bring no highlighter, and a diff block keeps
 * its +/- column, which reads as a diff), inside a <figure> with its title="…" as the caption.
 */
function codeBlock(state: State, node: Parameters<typeof defaultHandlers.code>[1]): Element {
  const pre = defaultHandlers.code(state, node);
  const title = parseCodeMeta(node.meta).title;
  return title === undefined ? pre : el('figure', {}, [el('figcaption', {}, [{ type: 'text', value: title }]), pre]);
}

const handlers = {
  code: codeBlock,
  mdxJsxFlowElement: mdxJsxElement,
  mdxJsxTextElement: mdxJsxElement,
  mdxFlowExpression: nothing,
  mdxTextExpression: nothing,
  mdxjsEsm: nothing,
} as RemarkRehypeOptions['handlers'];

/**
 * `articleFile`: the .mdx's absolute path (for its images). `tree`: the body as the content
 * loader parsed it (same syntax extensions), so a build that has it does not parse it again.
 */
export type RenderOptions = { articleFile?: string; tree?: MdastRoot };

/**
 * The feed HTML tree of an article body, before sanitizing (see renderArticleHtml). Relative
 * links become absolute, since a feed reader has no base URL. With `articleFile` (the .mdx's
 * absolute path) images become the absolute URLs of their ~1200 px fallback files.
 */
export function renderArticleHast(body: string, siteUrl: string, { articleFile, tree }: RenderOptions = {}): HastRoot {
  const processor = unified()
    .use(remarkParse)
    .use(remarkMdx)
    .use(remarkPlugins)
    .use(remarkUnravelJsx)
    .use(remarkImages, { articleFile, target: 'feed', siteUrl })
    .use(remarkRehype, { ...remarkRehypeOptions, handlers })
    .use(rehypeSlug)
    // MathML only: feed readers drop stylesheets, and without KaTeX's CSS its HTML rendering is
    // a jumble; MathML is typeset by the reader's own engine. (Emails carry no article body.)
    .use(rehypeKatex, { ...KATEX_OPTIONS, output: 'mathml' });
  // A copy: the transforms below rewrite the tree in place, and the caller's is the loader's.
  const hast = processor.runSync(tree ? structuredClone(tree) : (processor.parse(body) as MdastRoot)) as HastRoot;
  absolutizeLinks(hast, siteUrl);
  return hast;
}

/**
 * Renders an article body to standalone HTML for feeds (RSS content:encoded, Atom, JSON Feed),
 * sanitized with the article HTML allow-list: even a body that never went through the content
 * check cannot put a script, a handler or a javascript: link into a reader's feed.
 */
export function renderArticleHtml(body: string, siteUrl: string, options: RenderOptions = {}): string {
  return toHtml(sanitizeFeedHast(renderArticleHast(body, siteUrl, options)));
}

function absolutizeLinks(node: HastRoot | ElementContent, siteUrl: string) {
  if (node.type === 'element' && node.tagName === 'a' && typeof node.properties.href === 'string') {
    if (node.properties.href.startsWith('/')) node.properties.href = `${siteUrl}${node.properties.href}`;
  }
  if ('children' in node) for (const child of node.children) absolutizeLinks(child as ElementContent, siteUrl);
}
