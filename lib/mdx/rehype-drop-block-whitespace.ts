import type { Element, ElementContent, Root, RootContent } from 'hast';

/**
 * Drops the whitespace-only text that remark-rehype puts between block elements ("\n" after
 * every paragraph, list item, table row…): a browser lays blocks out the same without it, and
 * each one is a node of the page's RSC payload (`,"\n",`) as well as a byte of its HTML.
 * Whitespace beside inline content (between two links in a sentence) stays, and so does
 * everything inside <pre>.
 */
const BLOCK = new Set([
  'address', 'article', 'aside', 'blockquote', 'details', 'div', 'dl', 'dd', 'dt', 'figcaption', 'figure', 'footer',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'ol', 'p', 'pre', 'section', 'summary', 'table',
  'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul',
]);

type Child = RootContent | ElementContent;

function isBlock(node: Child | undefined): boolean {
  if (node === undefined) return true;
  // MDX components written as flow elements (<Callout>, <Diagram>, …) render blocks.
  if ((node.type as string) === 'mdxJsxFlowElement') return true;
  return node.type === 'element' && BLOCK.has(node.tagName);
}

function isBlank(node: Child): boolean {
  return node.type === 'text' && node.value.trim() === '';
}

function visit(parent: Root | Element | { children: Child[] }) {
  if ('tagName' in parent && parent.tagName === 'pre') return;
  const children = parent.children as Child[];
  // Inside an inline element (<a>, <code>, <span>), a lone space is content.
  const blockParent = !('type' in parent) || parent.type === 'root' || isBlock(parent as Child);
  const kept = !blockParent ? children : children.filter((child, i) => !(isBlank(child) && isBlock(children[i - 1]) && isBlock(children[i + 1])));
  if (kept.length !== children.length) (parent as { children: Child[] }).children = kept;
  for (const child of kept) if ('children' in child && Array.isArray(child.children)) visit(child as Element);
}

export function rehypeDropBlockWhitespace() {
  return (tree: Root) => visit(tree);
}
