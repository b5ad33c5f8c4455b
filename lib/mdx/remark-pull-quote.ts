import type { Blockquote, Paragraph, Root } from 'mdast';
import type { MdxJsxFlowElement } from 'mdast-util-mdx-jsx';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';

const ATTRIBUTION = /^\s*(?:—|--)\s+(.+)$/s;

/**
 * A blockquote whose last paragraph starts with an em dash ("— Leslie Lamport") is a quotation
 * with an attribution: it becomes <PullQuote cite="Leslie Lamport">, which renders a
 * <figure> with <blockquote> and <figcaption>, so the attribution is not part of the quote.
 */
export function remarkPullQuote() {
  return (tree: Root) => {
    visit(tree, 'blockquote', (node: Blockquote, index, parent) => {
      if (!parent || index === undefined || node.children.length < 2) return;
      const last = node.children.at(-1);
      if (last?.type !== 'paragraph') return;
      const match = ATTRIBUTION.exec(toString(last as Paragraph));
      if (!match?.[1]) return;
      const element: MdxJsxFlowElement = {
        type: 'mdxJsxFlowElement',
        name: 'PullQuote',
        attributes: [{ type: 'mdxJsxAttribute', name: 'cite', value: match[1].trim() }],
        children: node.children.slice(0, -1) as MdxJsxFlowElement['children'],
      };
      parent.children.splice(index, 1, element);
    });
  };
}
