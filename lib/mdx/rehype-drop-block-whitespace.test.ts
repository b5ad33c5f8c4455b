import type { Element, ElementContent, Root } from 'hast';
import { toHtml } from 'hast-util-to-html';
import { describe, expect, it } from 'vitest';
import { rehypeDropBlockWhitespace } from './rehype-drop-block-whitespace';

const h = (tagName: string, ...children: (ElementContent | string)[]): Element => ({
  type: 'element',
  tagName,
  properties: {},
  children: children.map((c) => (typeof c === 'string' ? { type: 'text', value: c } : c)),
});
const run = (...children: (ElementContent | string)[]) => {
  const tree: Root = { type: 'root', children: h('div', ...children).children };
  rehypeDropBlockWhitespace()(tree);
  return toHtml(tree);
};

describe('rehypeDropBlockWhitespace', () => {
  it('drops the newlines between blocks, list items and table rows', () => {
    expect(run(h('h2', 'A'), '\n', h('p', 'x'), '\n', h('ul', '\n', h('li', 'a'), '\n', h('li', 'b'), '\n'), '\n', h('table', '\n', h('tbody', '\n', h('tr', '\n', h('td', '1'), '\n')))))
      .toBe('<h2>A</h2><p>x</p><ul><li>a</li><li>b</li></ul><table><tbody><tr><td>1</td></tr></tbody></table>');
  });

  it('keeps whitespace that is content: between inline elements, inside inline elements and in <pre>', () => {
    expect(run(h('p', h('a', 'a'), ' ', h('strong', 'b')))).toBe('<p><a>a</a> <strong>b</strong></p>');
    expect(run(h('p', 'x', h('code', ' '), 'y'))).toBe('<p>x<code> </code>y</p>');
    expect(run(h('pre', h('code', h('span', 'a'), '\n', h('span', 'b'))))).toBe('<pre><code><span>a</span>\n<span>b</span></code></pre>');
    expect(run(h('li', 'one\n', h('ul', '\n', h('li', 'two'), '\n'), '\n'))).toBe('<li>one\n<ul><li>two</li></ul></li>');
  });
});
