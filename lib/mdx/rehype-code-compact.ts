import type { Element, Root } from 'hast';
import { visit } from 'unist-util-visit';

/**
 * Takes off what rehype-pretty-code adds that nothing reads, since every byte of an article is
 * sent twice (the HTML and the page's RSC payload): the <figure> around each block (CodeBlock
 * frames the <pre> itself), data-theme on <pre> and <code>, the <code>'s copy of data-language,
 * and its inline `display: grid` (app/globals.css sets it). Runs after rehypeCodeTitle, which
 * still reads the figure.
 */
export function rehypeCodeCompact() {
  return (tree: Root) => {
    visit(tree, 'element', (node: Element, index, parent) => {
      if (node.properties['data-rehype-pretty-code-figure'] !== undefined && parent && index !== undefined) {
        parent.children.splice(index, 1, ...node.children);
        return index;
      }
      if (node.tagName !== 'pre' && node.tagName !== 'code') return;
      delete node.properties['data-theme'];
      if (node.tagName !== 'code') return;
      if (node.properties['data-language'] !== undefined && parent?.type === 'element' && parent.tagName === 'pre') delete node.properties['data-language'];
      if (typeof node.properties.style === 'string' && node.properties.style.replace(/\s/g, '') === 'display:grid;') delete node.properties.style;
    });
  };
}
