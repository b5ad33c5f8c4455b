import { describe, expect, it } from 'vitest';
import { refusedUrlReason, urlScheme } from './html-allowlist';
import { analyzeBody } from './mdx';

/**
 * The article HTML allow-list as the content check applies it (the fixtures with their exact
 * file:line messages through the loader and content:check are in test/reliability/build-errors.test.ts;
 * these are the variants of each rule).
 */

const problems = (body: string) => analyzeBody(body, { file: 'x.mdx', lineOffset: 10 }).problems.map((p) => `${p.line} ${p.message}`);
const JAVASCRIPT = refusedUrlReason('javascript:x');

describe('elements', () => {
  it('allows the listed elements with their attributes, fragments and the MDX components', () => {
    const body = [
      'Press <kbd>Ctrl</kbd>+<kbd>C</kbd>; <abbr title="Write-ahead log">WAL</abbr>, <dfn>quorum</dfn>, H<sub>2</sub>O, x<sup>2</sup>.',
      '',
      '<time dateTime="2026-03-01">1 March</time> <time datetime="2026-03-02">2 March</time> <del cite="https://example.com" dateTime="2026-01-01">old</del> <ins>new</ins>',
      '',
      '<details open>',
      '<summary>Why?</summary>',
      '',
      'Because <q cite="https://example.com/q">it is</q> <mark>so</mark>, <s>not</s> <u>this</u> <i>or</i> <b>that</b> <small>small</small> <var>n</var> <samp>out</samp> <cite>Book</cite>.',
      '',
      '</details>',
      '',
      '<table><caption>Caption</caption><colgroup><col span="2" /></colgroup><thead><tr><th scope="col" colSpan="2">Head</th></tr></thead><tbody><tr><td rowspan="1">a</td><td>b</td></tr></tbody><tfoot><tr><td>c</td></tr></tfoot></table>',
      '',
      '<ol start="3" reversed><li value="3">three</li></ol> <ul><li>item</li></ul> <dl><dt>term</dt><dd>definition</dd></dl>',
      '',
      '<figure><pre><code>code</code></pre><figcaption>Caption</figcaption></figure> <blockquote cite="https://example.com">quote</blockquote> <hr /> <br /> <wbr />',
      '',
      '<p lang="fr" dir="ltr" title="t">Un paragraphe</p> <span>s</span> <em>e</em> <strong>s</strong> <bdi>x</bdi> <bdo dir="rtl">y</bdo> <h4>Small heading</h4>',
      '',
      '<a href="https://example.com">web</a> <a href="mailto:editor@example.com">mail</a> <a href="tel:+4412345">phone</a> <a href="#why">here</a> <a href="?page=2">next</a> <a href="/tags/consensus">tag</a>',
      '',
      '<>fragment</> <Callout type="tip">A tip.</Callout> {/* a comment */} {1 + 1}',
      '',
      '## Why',
    ].join('\n');
    expect(problems(body)).toEqual([]);
  });

  it('refuses iframe, form, style, object and the like with a reason, whatever their case', () => {
    expect(problems('<iFrame src="/x" />\n\n<embed src="/y" />\n\n<applet />\n\n<frameset />\n\n<portal />')).toEqual([
      '11 <iFrame> elements are not allowed in articles: an embedded page or plugin runs its own code and can track readers; link to it instead',
      '13 <embed> elements are not allowed in articles: an embedded page or plugin runs its own code and can track readers; link to it instead',
      '15 <applet> elements are not allowed in articles: an embedded page or plugin runs its own code and can track readers; link to it instead',
      '17 <frameset> elements are not allowed in articles: an embedded page or plugin runs its own code and can track readers; link to it instead',
      '19 <portal> elements are not allowed in articles: an embedded page or plugin runs its own code and can track readers; link to it instead',
    ]);
    expect(problems('<input name="q" /> <button>Go</button> <textarea /> <select><option>a</option></select>')).toEqual([
      "11 <input> elements are not allowed in articles: a form sends what readers type to wherever it points; the newsletter box is the site's only form",
      "11 <button> elements are not allowed in articles: a form sends what readers type to wherever it points; the newsletter box is the site's only form",
      "11 <textarea> elements are not allowed in articles: a form sends what readers type to wherever it points; the newsletter box is the site's only form",
      "11 <select> elements are not allowed in articles: a form sends what readers type to wherever it points; the newsletter box is the site's only form",
    ]);
    expect(problems('<link rel="stylesheet" href="https://evil.example/x.css" />\n\n<base href="https://evil.example/" />\n\n<meta httpEquiv="refresh" content="0;url=https://evil.example" />\n\n<STYLE>x</STYLE>')).toEqual([
      '11 <link> elements are not allowed in articles: it loads stylesheets and other resources into the whole page; write a Markdown link [text](url) to link',
      '13 <base> elements are not allowed in articles: it changes where every link on the page points',
      '15 <meta> elements are not allowed in articles: it can redirect the page or change how it is read',
      // Capitalised, JSX reads it as a component, which the map does not have.
      '17 unknown component <STYLE>: expected one of <Callout>, <Figure>',
    ]);
  });

  it('reports a refused element once, not what is inside it', () => {
    expect(problems('<form action="https://evil.example">\n<input name="password" />\n<a href="javascript:x">x</a>\n</form>')).toHaveLength(1);
  });

  it('refuses unlisted elements naming what is allowed, with a hint for images and h1', () => {
    const [video] = problems('<video src="/v.mp4" />');
    expect(video).toMatch(/^11 <video> is not an element articles may use: expected one of <a>, <abbr>, <b>, .*, <wbr>, <Callout>, <Figure>$/);
    expect(problems('<img src="/x.png" alt="x" />')[0]).toMatch(
      /^11 <img> is not an element articles may use \(write an image as Markdown, !\[alt text\]\(\.\/<slug>\/image\.png\), or as <Figure src="\.\/<slug>\/image\.png" alt="…" \/>\): expected one of <a>, /,
    );
    expect(problems('<h1>Title again</h1>')[0]).toMatch(/^11 <h1> is not an element articles may use \(the title is the page's only h1; start sections at ## or <h2>\): /);
    for (const name of ['div', 'svg', 'math', 'marquee', 'my-widget', 'svg:rect', 'audio', 'picture', 'source']) {
      expect(problems(`<${name}>x</${name}>`), name).toEqual([expect.stringMatching(new RegExp(`^11 <${name}> is not an element articles may use: `))]);
    }
  });

  it('an element refused inside an allowed one is still found, on its own line', () => {
    expect(problems('<details>\n<summary>More</summary>\n\n<iframe src="/x" />\n\n</details>')).toEqual([
      '14 <iframe> elements are not allowed in articles: an embedded page or plugin runs its own code and can track readers; link to it instead',
    ]);
  });
});

describe('attributes', () => {
  it('refuses event handlers in any case, as text or expression', () => {
    expect(problems('<span onclick="a()">x</span> <b ONLOAD="b()">y</b> <i onClick={c}>z</i> <a href="/" onFocus="d()">w</a>')).toEqual([
      `11 <span onclick="a()">: event-handler attributes are not allowed in articles (they run code in the reader's browser)`,
      `11 <b ONLOAD="b()">: event-handler attributes are not allowed in articles (they run code in the reader's browser)`,
      `11 <i onClick={…}>: event-handler attributes are not allowed in articles (they run code in the reader's browser)`,
      `11 <a onFocus="d()">: event-handler attributes are not allowed in articles (they run code in the reader's browser)`,
    ]);
  });

  it('refuses style, srcdoc, action, formaction and ping with a reason', () => {
    expect(problems('<span style="color:red" srcdoc="<p>x</p>" action="/x" formAction="/y" ping="https://t.example">x</span>')).toEqual([
      '11 <span style="color:red">: inline styles are not allowed in articles (the site styles articles; CSS can cover the page with a fake one or load images from other servers)',
      '11 <span srcdoc="<p>x</p>">: srcdoc is not allowed in articles (it embeds a whole HTML page)',
      '11 <span action="/x">: action is not allowed in articles (it sends a form to another address)',
      '11 <span formAction="/y">: formaction is not allowed in articles (it sends a form to another address)',
      '11 <span ping="https://t.example">: ping is not allowed in articles (it reports every click to another server)',
    ]);
  });

  it('refuses attributes an element may not carry, naming those it may', () => {
    expect(problems('<span class="x">a</span> <a href="/" className="y" target="_blank">b</a> <p id="z" xlink:href="/">c</p> <span dangerouslySetInnerHTML="x" />')).toEqual([
      '11 <span class="x">: attribute not allowed on <span>: expected title, lang or dir',
      '11 <a className="y">: attribute not allowed on <a>: expected href, title, lang or dir',
      '11 <a target="_blank">: attribute not allowed on <a>: expected href, title, lang or dir',
      '11 <p id="z">: attribute not allowed on <p>: expected title, lang or dir',
      '11 <p xlink:href="/">: attribute not allowed on <p>: expected title, lang or dir',
      '11 <span dangerouslySetInnerHTML="x">: attribute not allowed on <span>: expected title, lang or dir',
    ]);
  });

  it('refuses attribute expressions and spreads on HTML elements, even harmless-looking ones', () => {
    expect(problems("<abbr title={'Write-ahead log'}>WAL</abbr> <span {...props}>x</span>")).toEqual([
      '11 <abbr title={…}>: attribute values on HTML elements must be plain text such as title="…" (the check cannot see what an expression holds)',
      '11 <span {...props}>: spread attributes are not allowed on HTML elements (the check cannot see what they set); write each attribute as name="value"',
    ]);
  });

  it('checks the URL of every URL attribute an element may carry', () => {
    expect(problems('<q cite="javascript:x">q</q> <blockquote cite="data:text/html,x">b</blockquote> <a href="vbscript:msgbox">v</a>')).toEqual([
      `11 <q cite="javascript:x">: ${JAVASCRIPT}`,
      `11 <blockquote cite="data:text/html,x">: ${refusedUrlReason('data:x')}`,
      `11 <a href="vbscript:msgbox">: ${refusedUrlReason('vbscript:x')}`,
    ]);
  });
});

describe('URLs in Markdown', () => {
  it('refuses javascript:, vbscript:, data: and other schemes in links, images and definitions', () => {
    expect(
      problems('[a](javascript:alert(1)) ![b](data:image/png;base64,AAAA) [c][ref] [d](file:///etc/passwd)\n\n[ref]: vbscript:msgbox'),
    ).toEqual([
      `11 link to javascript:alert(1): ${JAVASCRIPT}`,
      `11 image data:image/png;base64,AAAA: ${refusedUrlReason('data:x')}`,
      '11 link to file:///etc/passwd: the file: scheme is not allowed in articles; expected an http:, https:, mailto: or tel: URL, or a path such as /articles/<slug>',
      `13 link to vbscript:msgbox: ${refusedUrlReason('vbscript:x')}`,
    ]);
  });

  it('allows web, mail and phone links, paths, fragments and images', () => {
    expect(problems('[a](https://example.com) [b](HTTP://example.com) [c](mailto:a@example.com) [d](tel:+441234) [e](/tags/x) [f](#f) [g](./x:y) ![h](./h.png)\n\n## F')).toEqual([]);
  });
});

describe('urlScheme reads a URL the way a browser does', () => {
  it.each([
    ['javascript:alert(1)', 'javascript'],
    ['JaVaScRiPt:alert(1)', 'javascript'],
    ['  javascript:alert(1)', 'javascript'],
    ['\u0001\u001f javascript:alert(1)', 'javascript'],
    ['java\tscript:alert(1)', 'javascript'],
    ['java\nscr\ript:alert(1)', 'javascript'],
    ['&#106;avascript:alert(1)', 'javascript'],
    ['&#x6A;avascript&#x3A;alert(1)', 'javascript'],
    ['&#0000106avascript:alert(1)', 'javascript'],
    ['javascript&colon;alert(1)', 'javascript'],
    ['jav&Tab;ascript:alert(1)', 'javascript'],
    ['vbscript:msgbox', 'vbscript'],
    ['DATA:text/html,<script>alert(1)</script>', 'data'],
    ['https://example.com/a:b', 'https'],
    ['mailto:a@example.com', 'mailto'],
    ['/articles/x', undefined],
    ['#part', undefined],
    ['?q=javascript:x', undefined],
    ['./javascript:x', undefined],
    ['//cdn.example/x', undefined],
    ['java script:alert(1)', undefined],
  ])('%j → %s', (url, scheme) => {
    expect(urlScheme(url)).toBe(scheme);
  });
});
