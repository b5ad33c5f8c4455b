import type { Element, Root } from 'hast';
import { toHtml } from 'hast-util-to-html';
import { SKIP, visit } from 'unist-util-visit';

/**
 * A highlighted block's lines and tokens, as one HTML string on its <code> (rendered by
 * components/mdx/code.tsx): a string is a fraction of the RSC payload's element-by-element copy
 * of a few hundred spans. Unquoted values and bare empty attributes (`<span data-line>`): every
 * quote costs four bytes once escaped into the payload. Shiki escaped the code's text already.
 */
export const CODE_HTML_PROPERTY = 'data-html';

/**
 * Takes off what rehype-pretty-code adds that nothing reads, since every byte of an article is
 * sent twice (the HTML and the page's RSC payload): the <figure> around each block (CodeBlock
 * frames the <pre> itself), data-theme on <pre> and <code>, the <code>'s copy of data-language,
 * and its inline `display: grid` (app/globals.css sets it); then the code becomes a string (above).
 * Runs after rehypeCodeTitle, which still reads the figure.
 */
export function rehypeCodeCompact() {
  return (tree: Root) => {
    visit(tree, 'element', (node: Element, index, parent) => {
      if (node.properties['data-rehype-pretty-code-figure'] !== undefined && parent && index !== undefined) {
        parent.children.splice(index, 1, ...node.children);
        return [SKIP, index];
      }
      if (node.tagName !== 'pre' && node.tagName !== 'code') return;
      delete node.properties['data-theme'];
      if (node.tagName !== 'code') return;
      if (node.properties['data-language'] !== undefined && parent?.type === 'element' && parent.tagName === 'pre') delete node.properties['data-language'];
      if (typeof node.properties.style === 'string' && node.properties.style.replace(/\s/g, '') === 'display:grid;') delete node.properties.style;
      if (parent?.type === 'element' && parent.tagName === 'pre' && parent.properties['data-language'] !== undefined) {
        node.properties[CODE_HTML_PROPERTY] = toHtml({ type: 'root', children: node.children }, { preferUnquoted: true, collapseEmptyAttributes: true });
        node.children = [];
      }
    });
  };
}
