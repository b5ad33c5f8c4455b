import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MdxContent } from '@/components/mdx/mdx-content';

/**
 * What the article page's renderer (next-mdx-remote with lib/mdx/options.ts and the components
 * map) makes of footnotes, math and code-fence options, at build time. The browser's side (links
 * followed, stylesheet loaded, copy) is e2e/writing.spec.ts.
 */

const page = async (body: string) => renderToStaticMarkup(await MdxContent({ source: body }));

describe('footnotes', () => {
  it('numbered references described by the "Notes" heading, notes with back-links, in a labelled section', async () => {
    const html = await page('Quorums overlap.[^overlap] Terms only grow.[^terms]\n\n[^terms]: Each election starts a new term.\n[^overlap]: Two majorities share a node.');
    expect(html).toContain(
      '<sup><a href="#user-content-fn-overlap" id="user-content-fnref-overlap" data-footnote-ref="true" aria-describedby="footnote-label"',
    );
    expect(html).toMatch(/id="user-content-fnref-overlap"[^>]*>1<\/a><\/sup>/);
    expect(html).toMatch(/id="user-content-fnref-terms"[^>]*>2<\/a><\/sup>/);
    expect(html).toMatch(/<section[^>]* data-footnotes="true" aria-labelledby="footnote-label"><h2 id="footnote-label"[^>]*>Notes</);
    // Numbered in the order of first reference, each note linking back to its reference.
    const notes = [...html.matchAll(/<li id="user-content-fn-(\w+)">[\s\S]*?href="#user-content-fnref-(\w+)"[^>]*aria-label="Back to reference (\d)"/g)];
    expect(notes.map((m) => [m[1], m[2], m[3]])).toEqual([
      ['overlap', 'overlap', '1'],
      ['terms', 'terms', '2'],
    ]);
  });
});

describe('math', () => {
  it('is typeset at build time: MathML for assistive technology and KaTeX HTML for the eye, no script', async () => {
    const html = await page('The quorum is $\\lfloor n/2 \\rfloor + 1$.\n\n$$\n\\sum_{i=1}^{n} i\n$$');
    expect(html).toContain('<math xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mrow><mo stretchy="false">⌊</mo>');
    expect(html).toContain('<annotation encoding="application/x-tex">\\lfloor n/2 \\rfloor + 1</annotation>');
    expect(html).toContain('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">');
    expect(html).toMatch(/<span class="katex-html" aria-hidden="true">/);
    expect(html).toContain('<span class="katex-display">');
    expect(html).not.toMatch(/<script|katex-error/);
  });
});

describe('code fences', () => {
  const body = [
    '```ts title="quorum.ts" {2} showLineNumbers diff',
    ' const n = 5',
    '-const quorum = n / 2',
    '+const quorum = Math.floor(n / 2) + 1',
    '```',
  ].join('\n');

  it('title in the header beside the language, highlighted and diff lines as attributes, numbers on request', async () => {
    const html = await page(body);
    expect(html).toMatch(/<span data-code-title="true"[^>]*>quorum\.ts<\/span><span[^>]*>TypeScript<\/span>/);
    expect(html).toContain('aria-label="quorum.ts, TypeScript code"');
    expect(html).not.toContain('data-rehype-pretty-code-title');
    expect(html).toMatch(/<code data-line-numbers=""/);
    // The lines are one string of HTML with bare empty attributes (lib/mdx/rehype-code-compact.ts).
    const lines = [...html.matchAll(/<span ((?:data-[\w-]+(?:=\w+)? ?)+)>/g)].map((m) => m[1]).filter((attrs) => attrs?.includes('data-line'));
    expect(lines).toEqual(['data-line', 'data-diff=remove data-line data-highlighted-line', 'data-diff=add data-line']);
  });

  it('the markers are gone from the code, and the language is still highlighted', async () => {
    const html = await page(body);
    const text = html
      .slice(html.indexOf('<code'), html.indexOf('</code>'))
      .replace(/<[^>]+>/g, '')
      .split('\n');
    expect(text).toEqual(['const n = 5', 'const quorum = n / 2', 'const quorum = Math.floor(n / 2) + 1']);
    // `const` is a keyword token of its own on every line: TypeScript's highlighting, not one flat colour.
    expect(html.match(/<span class=c\d+>const<\/span>/g)).toHaveLength(3);
  });

  it('a plain fence gets none of it: no extra attribute, no extra byte', async () => {
    const html = await page('```ts\nconst n = 5\n```');
    expect(html).not.toMatch(/data-(title|code-title|diff|highlighted-line|line-numbers)/);
    expect(html).toContain('aria-label="TypeScript code"');
  });
});
