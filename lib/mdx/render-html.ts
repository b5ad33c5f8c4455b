import type { Element, ElementContent, Root as HastRoot } from 'hast';
import { toHtml } from 'hast-util-to-html';
import type { Root as MdastRoot } from 'mdast';
import type { MdxJsxAttribute, MdxJsxFlowElement } from 'mdast-util-mdx-jsx';
import remarkMdx from 'remark-mdx';
import remarkParse from 'remark-parse';
import remarkRehype, { type Options as RemarkRehypeOptions } from 'remark-rehype';
import rehypeSlug from 'rehype-slug';
import { unified } from 'unified';
import { CALLOUT_LABELS, type CalloutType } from '@/lib/mdx/callout-labels';
import { remarkPlugins } from './options';

type State = Parameters<NonNullable<NonNullable<RemarkRehypeOptions['handlers']>['blockquote']>>[0];

function attribute(node: MdxJsxFlowElement, name: string): string {
  const found = node.attributes.find((a): a is MdxJsxAttribute => a.type === 'mdxJsxAttribute' && a.name === name);
  return typeof found?.value === 'string' ? found.value : '';
}

function el(tagName: string, properties: Element['properties'], children: ElementContent[]): Element {
  return { type: 'element', tagName, properties, children };
}

/**
 * The same MDX components as the web page, as plain HTML elements with no React and no
 * classes: feed readers and email clients strip styles and scripts anyway.
 */
function mdxJsxFlowElement(state: State, node: MdxJsxFlowElement): Element | ElementContent[] {
  const children = state.all(node as never) as ElementContent[];
  switch (node.name) {
    case 'Callout': {
      const type = (attribute(node, 'type') || 'note') as CalloutType;
      const label = CALLOUT_LABELS[type] ?? CALLOUT_LABELS.note;
      // The label goes inside the first paragraph so it reads "Key insight: …" as on the page.
      const first = children[0];
      if (first?.type === 'element' && first.tagName === 'p') {
        first.children.unshift(el('strong', {}, [{ type: 'text', value: label }]), { type: 'text', value: ' ' });
        return el('blockquote', {}, children);
      }
      return el('blockquote', {}, [el('p', {}, [el('strong', {}, [{ type: 'text', value: label }])]), ...children]);
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

/**
 * Renders an article body to standalone HTML for feeds (RSS content:encoded, Atom, JSON Feed).
 * Relative links become absolute, since a feed reader has no base URL.
 */
export function renderArticleHtml(body: string, siteUrl: string): string {
  const processor = unified()
    .use(remarkParse)
    .use(remarkMdx)
    .use(remarkPlugins)
    .use(remarkRehype, { handlers: { mdxJsxFlowElement } as RemarkRehypeOptions['handlers'] })
    .use(rehypeSlug);
  const hast = processor.runSync(processor.parse(body) as MdastRoot) as HastRoot;
  absolutizeLinks(hast, siteUrl);
  return toHtml(hast);
}

function absolutizeLinks(node: HastRoot | ElementContent, siteUrl: string) {
  if (node.type === 'element' && node.tagName === 'a' && typeof node.properties.href === 'string') {
    if (node.properties.href.startsWith('/')) node.properties.href = `${siteUrl}${node.properties.href}`;
  }
  if ('children' in node) for (const child of node.children) absolutizeLinks(child as ElementContent, siteUrl);
}
