import type { Root } from 'mdast';
import { visit } from 'unist-util-visit';

/**
 * A paragraph holding nothing but JSX (and whitespace), such as a one-line
 * `<Callout type="tip">…</Callout>`, becomes those elements as blocks: what @mdx-js/mdx does
 * for the page (its remark-mark-and-unravel, which it does not export). Without it the feed
 * renderer would see an inline element inside a <p> and lose the callout's label.
 */
export function remarkUnravelJsx() {
  return (tree: Root) => {
    visit(tree, 'paragraph', (node, index, parent) => {
      if (parent === undefined || index === undefined) return undefined;
      const blank = (child: (typeof node.children)[number]) => child.type === 'text' && child.value.trim() === '';
      const jsx = node.children.filter((child) => !blank(child));
      if (jsx.length === 0 || !jsx.every((child) => child.type === 'mdxJsxTextElement' || child.type === 'mdxTextExpression')) {
        return undefined;
      }
      const blocks = jsx.map((child) =>
        child.type === 'mdxJsxTextElement' ? { ...child, type: 'mdxJsxFlowElement' as const } : { ...child, type: 'mdxFlowExpression' as const },
      );
      parent.children.splice(index, 1, ...(blocks as typeof parent.children));
      return index;
    });
  };
}
