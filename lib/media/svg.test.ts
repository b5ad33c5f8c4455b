import { describe, expect, it } from 'vitest';
import { inspectSvg } from './svg';

/** SVGs are served from this origin and can be opened on their own: nothing in one may run. */

const svg = (inner: string, attributes = 'viewBox="0 0 100 50"') => `<svg xmlns="http://www.w3.org/2000/svg" ${attributes}>${inner}</svg>`;
const problem = (text: string) => {
  const result = inspectSvg(text);
  return 'problem' in result ? result.problem : undefined;
};

describe('inspectSvg: what may not be in a published SVG', () => {
  it.each([
    ['a script', svg('<script>alert(document.cookie)</script>'), 'the SVG contains <script>'],
    ['a script behind a namespace prefix', '<s:svg xmlns:s="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><s:script>alert(1)</s:script></s:svg>', 'the SVG contains <s:script>'],
    ['embedded HTML', svg('<foreignObject width="10" height="10"><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example"/></foreignObject>'), 'the SVG contains <foreignObject>'],
    ['an event handler', svg('<rect width="1" height="1" onload="alert(1)"/>'), 'the SVG has an event-handler attribute onload="…" on <rect>'],
    ['an event handler in capitals', svg('<rect width="1" height="1" ONCLICK="alert(1)"/>'), 'the SVG has an event-handler attribute ONCLICK="…" on <rect>'],
    ['a javascript: link', svg('<a href="javascript:alert(1)"><text>x</text></a>'), 'the SVG has a script URL in href="…" on <a>'],
    ['a javascript: link written with entities and a tab', svg('<a xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="&#106;ava&#x09;script:alert(1)"><text>x</text></a>'), 'the SVG has a script URL in xlink:href="…" on <a>'],
    ['an animation that sets a handler', svg('<rect width="1" height="1"><set attributeName="onclick" to="alert(1)"/></rect>'), 'the SVG animates onclick with <set>'],
    ['an animation that rewrites a link', svg('<a href="#"><animate attributeName="href" values="https://evil.example"/><text>x</text></a>'), 'the SVG animates href with <animate>'],
    ['entities declared in a DOCTYPE', `<!DOCTYPE svg [<!ENTITY e "x">]>${svg('<text>&e;</text>')}`, 'the SVG declares its own entities in a DOCTYPE, which can hide markup'],
    ['an XSLT stylesheet', `<?xml-stylesheet type="text/xsl" href="evil.xsl"?>${svg('')}`, 'the SVG loads a stylesheet (<?xml-stylesheet?>), which can turn it into a page'],
  ])('%s', (_name, text, start) => {
    expect(problem(text)).toMatch(
      new RegExp(`^${start.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(line \\d+ of the SVG\\): an SVG served from this site could run code when a reader opens it; export it without scripts, handlers or embedded HTML$`),
    );
  });

  it('malformed XML, which a browser shows as an error', () => {
    expect(problem('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><g></svg>')).toBe(
      'the SVG is not well-formed XML (unexpected close tag), so browsers show an error instead of the picture; export it again',
    );
  });

  it('XML that is not an SVG', () => {
    expect(problem('<html><body><svg viewBox="0 0 1 1"/></body></html>')).toBe('the file is not an SVG: its outermost element is not <svg>');
  });

  it('a drawing with styles, gradients, links to its own parts, titles and text passes', () => {
    const drawing = svg(
      '<title>Topology</title><style>.a{fill:#0369a1}</style><defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs>' +
        '<use href="#r"/><rect id="r" class="a" width="10" height="10" fill="url(#g)"/><a href="https://example.com"><text>javascript is text here</text></a>',
    );
    expect(inspectSvg(drawing)).toEqual({ width: 100, height: 50 });
  });
});

describe('inspectSvg: its size, as a browser sizes an <img> of it', () => {
  it.each([
    ['width and height', 'width="320" height="180"', { width: 320, height: 180 }],
    ['width and height in px', 'width="320px" height="180px" viewBox="0 0 16 9"', { width: 320, height: 180 }],
    ['Inkscape millimetres', 'width="210mm" height="297mm" viewBox="0 0 210 297"', { width: 794, height: 1123 }],
    ['only a viewBox', 'viewBox="0 0 640 240"', { width: 640, height: 240 }],
    ['a width and a viewBox', 'width="320" viewBox="0 0 640 240"', { width: 320, height: 120 }],
    ['a height and a viewBox', 'height="120" viewBox="0,0,640,240"', { width: 320, height: 120 }],
    ['percentages fall back to the viewBox', 'width="100%" height="100%" viewBox="0 0 64 24"', { width: 64, height: 24 }],
  ])('%s', (_name, attributes, size) => {
    expect(inspectSvg(svg('<rect width="1" height="1"/>', attributes))).toEqual(size);
  });

  it('no viewBox and no size: refused, the page could not reserve its space', () => {
    expect(problem(svg('<rect width="1" height="1"/>', 'width="100%"'))).toBe(
      'the SVG has no size, so the page cannot reserve its space: give its <svg> element a viewBox (or a width and a height)',
    );
  });
});
