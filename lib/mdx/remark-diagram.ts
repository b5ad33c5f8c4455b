import type { Code, Root } from 'mdast';
import type { MdxJsxFlowElement } from 'mdast-util-mdx-jsx';
import { visit } from 'unist-util-visit';

/**
 * Turns a fenced block written as ```diagram label="…"``` into <Diagram label="…" code="…" />.
 * Editors draw ASCII diagrams in a plain fence; running them through the syntax highlighter
 * would wrap them in a code box with a copy button and no accessible description.
 */
export function remarkDiagram() {
  return (tree: Root) => {
    visit(tree, 'code', (node: Code, index, parent) => {
      if (node.lang !== 'diagram' || !parent || index === undefined) return;
      const label = /label="([^"]*)"/.exec(node.meta ?? '')?.[1] ?? '';
      const element: MdxJsxFlowElement = {
        type: 'mdxJsxFlowElement',
        name: 'Diagram',
        attributes: [
          { type: 'mdxJsxAttribute', name: 'label', value: label },
          { type: 'mdxJsxAttribute', name: 'code', value: node.value },
        ],
        children: [],
      };
      parent.children.splice(index, 1, element);
    });
  };
}
