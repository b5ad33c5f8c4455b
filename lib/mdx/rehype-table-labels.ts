import type { Element, Root } from 'hast';
import { toString } from 'hast-util-to-string';
import { visit } from 'unist-util-visit';

/**
 * Gives each table an accessible name from the section it sits in ("Comparison Table", or
 * "Comparison Table, table 2" when a section has several). The scrolling box around a table is a
 * labelled region so keyboard users can scroll it, and regions need names that tell them apart.
 */
export function rehypeTableLabels() {
  return (tree: Root) => {
    let section = 'Article';
    const seen = new Map<string, number>();
    visit(tree, 'element', (node: Element) => {
      if (node.tagName === 'h2' || node.tagName === 'h3') section = toString(node).trim() || section;
      if (node.tagName !== 'table') return;
      const count = (seen.get(section) ?? 0) + 1;
      seen.set(section, count);
      node.properties.dataLabel = count === 1 ? `Table: ${section}` : `Table: ${section}, table ${count}`;
    });
  };
}
