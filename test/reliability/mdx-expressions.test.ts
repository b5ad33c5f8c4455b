import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MdxContent } from '@/components/mdx/mdx-content';
import { analyzeBody } from '@/lib/content/mdx';
import { renderArticleHtml } from '@/lib/mdx/render-html';

/**
 * MDX `{expressions}` are JavaScript, which the content check cannot read: an expression could
 * hold an element or an attribute the HTML allow-list refuses. On HTML elements the check
 * refuses attribute expressions and spreads outright; everywhere else (the body, component
 * attributes) the renderers remove them: the page through next-mdx-remote's blockJS
 * (components/mdx/mdx-content.tsx), the feed in lib/mdx/render-html.ts. These bodies pass the
 * check or not, as said, and neither the page nor the feed carries what they try to smuggle in.
 */

const page = async (body: string) => renderToStaticMarkup(await MdxContent({ source: body }));
const feed = (body: string) => renderArticleHtml(body, 'https://example.com');
const problems = (body: string) => analyzeBody(body, { file: 'x.mdx', lineOffset: 0 }).problems.map((p) => p.message);

const SMUGGLED = ['<iframe', 'evil.example', 'onclick', 'onerror', 'javascript:alert', '<script', '<style', 'alert(', 'dangerously'];

describe.each([
  ['a flow expression holding an element', '{<iframe src="https://evil.example/embed" />}', 'passes'],
  ['an inline expression holding an element with a handler', 'Text {<b onClick={() => alert(1)}>bold</b>} here.', 'passes'],
  ['an expression building markup from a string', "{<span dangerouslySetInnerHTML={{ __html: '<img src=x onerror=alert(1)>' }} />}", 'passes'],
  ['an expression inside a component', "<Callout type=\"note\">\n\n{<script>alert(1)</script>}\n\n</Callout>", 'passes'],
  ['a spread on a component', "<Callout type=\"note\" {...{ dangerouslySetInnerHTML: { __html: '<iframe src=\"https://evil.example\">' } }}>Text</Callout>", 'passes'],
  ['an attribute expression on a component', "<Callout type=\"note\" title={<iframe src=\"https://evil.example\" />}>Text</Callout>", 'passes'],
  ['an attribute expression on an HTML element', "<a href={'javascript:alert(1)'}>Win</a>", 'refused'],
  ['a spread on an HTML element', "<span {...{ onClick: 'alert(1)', dangerouslySetInnerHTML: { __html: '<script>alert(1)</script>' } }}>x</span>", 'refused'],
])('%s', (_name, body, verdict) => {
  it(`the content check: ${verdict}`, () => {
    if (verdict === 'passes') expect(problems(body)).toEqual([]);
    else expect(problems(body)).toEqual([expect.stringMatching(/^<(a|span) \S.*>: (attribute values on HTML elements must be plain text|spread attributes are not allowed)/)]);
  });

  it('the page renders none of it', async () => {
    const html = await page(body);
    for (const text of SMUGGLED) expect(html).not.toContain(text);
  });

  it('the feed renders none of it', () => {
    const html = feed(body);
    for (const text of SMUGGLED) expect(html).not.toContain(text);
  });
});

it('the page keeps what is around an expression (so the tests above look at rendered output)', async () => {
  const html = await page('Text {<b>bold</b>} here.\n\n<Callout type="note" {...{ id: "x" }}>Kept</Callout>');
  expect(html).toContain('<p>Text  here.</p>');
  expect(html).toContain('<strong>Note:</strong> Kept');
});
