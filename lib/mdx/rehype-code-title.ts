import type { Element, Root } from 'hast';
import { visit } from 'unist-util-visit';

/**
 * rehype-pretty-code puts a fence's title="…" in a <figcaption> before the <pre>; this moves it
 * onto the <pre> as data-title, so CodeBlock shows it in the block's own header bar, beside the
 * language and the copy button, instead of as loose text above the frame.
 */
export function rehypeCodeTitle() {
  return (tree: Root) => {
    // rehype-pretty-code writes its properties under their HTML names ("data-…"), not hast's camelCase.
    visit(tree, 'element', (figure: Element) => {
      if (figure.properties['data-rehype-pretty-code-figure'] === undefined) return;
      const index = figure.children.findIndex(
        (child) => child.type === 'element' && child.properties['data-rehype-pretty-code-title'] !== undefined,
      );
      const caption = figure.children[index] as Element | undefined;
      const pre = figure.children.find((child): child is Element => child.type === 'element' && child.tagName === 'pre');
      if (caption === undefined || pre === undefined) return;
      pre.properties['data-title'] = caption.children.map((child) => (child.type === 'text' ? child.value : '')).join('');
      figure.children.splice(index, 1);
    });
  };
}
