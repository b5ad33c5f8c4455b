import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeBody } from './mdx';

/**
 * The image rules on an article body (the loader's, so the build's and content:check's): each
 * mistake with its own message and line. One fixture per rule also runs through the real loader
 * and content:check in test/reliability/build-errors.test.ts.
 */

let content: string;
const analyze = (body: string) =>
  analyzeBody(body, {
    file: 'content/a.mdx',
    lineOffset: 10,
    images: { articlePath: path.join(content, 'a.mdx'), contentDir: content, display: (p) => path.relative(content, p) },
  });
const problems = (body: string) => analyze(body).problems.map((p) => `${p.line} ${p.message}`);

beforeAll(async () => {
  content = fs.mkdtempSync(path.join(os.tmpdir(), 'check-images-'));
  fs.mkdirSync(path.join(content, 'a'));
  await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0369a1' } }).png().toFile(path.join(content, 'a', 'chart.png'));
  fs.copyFileSync(path.join(content, 'a', 'chart.png'), path.join(content, 'a', 'my chart.png'));
  fs.writeFileSync(path.join(os.tmpdir(), 'outside-content.png'), fs.readFileSync(path.join(content, 'a', 'chart.png')));
});

afterAll(() => {
  fs.rmSync(content, { recursive: true, force: true });
  fs.rmSync(path.join(os.tmpdir(), 'outside-content.png'), { force: true });
});

describe('images in Markdown', () => {
  it('a good image passes and is listed with its file and line', () => {
    const result = analyze('Text.\n\n![A chart](./a/chart.png "Its caption")');
    expect(result.problems).toEqual([]);
    expect(result.images).toEqual([{ src: './a/chart.png', path: path.join(content, 'a', 'chart.png'), line: 13 }]);
  });

  it('a path with an encoded space names the file with the space', () => {
    expect(analyze('![A chart](./a/my%20chart.png)').images[0]?.path).toBe(path.join(content, 'a', 'my chart.png'));
    expect(problems('![A chart](<./a/my chart.png>)')).toEqual([]);
  });

  it('a root path or another site: images are files beside the article', () => {
    const expected = 'expected a file in content/ written relative to this article, such as ./<slug>/diagram.png (pages load images only from this site, and each one is measured and resized at build time)';
    expect(problems('![A chart](/a/chart.png)\n\n![A chart](//cdn.example/x.png)\n\n![A chart](http://example.com/x.png)')).toEqual([
      `11 image /a/chart.png: ${expected}`,
      `13 image //cdn.example/x.png: ${expected}`,
      `15 image http://example.com/x.png: ${expected}`,
    ]);
  });

  it('a path out of content/', () => {
    expect(problems(`![A chart](../${path.basename(content)}/../outside-content.png)`)).toEqual([
      `11 image ../${path.basename(content)}/../outside-content.png: the file is outside content/; keep images beside the articles, such as ./<slug>/diagram.png`,
    ]);
  });

  it('whitespace is no alt text', () => {
    expect(problems('![ ](./a/chart.png)')[0]).toMatch(/^11 image \.\/a\/chart\.png: no alt text; /);
  });
});

describe('<Figure>', () => {
  it('alt, caption, decorative (bare or ="true") pass', () => {
    expect(problems('<Figure src="./a/chart.png" alt="A chart" caption="Its caption" />\n\n<Figure src="./a/chart.png" decorative />\n\n<Figure src="./a/chart.png" decorative="true" />')).toEqual([]);
    expect(analyze('<Figure src="./a/chart.png" decorative />').images).toHaveLength(1);
  });

  it.each([
    ['no src', '<Figure alt="A chart" />', ['<Figure>: expected src="./<slug>/diagram.png"']],
    ['both alt and decorative', '<Figure src="./a/chart.png" alt="A chart" decorative />', ['<Figure src="./a/chart.png">: both alt and decorative; a decorative image has no alt text, so keep one of them']],
    ['decorative="false" and no alt', '<Figure src="./a/chart.png" decorative="false" />', ['<Figure src="./a/chart.png">: no alt text; expected alt="what the image shows", or decorative for a purely decorative image']],
    ['an unknown attribute', '<Figure src="./a/chart.png" alt="A chart" width="300" />', ['<Figure width>: unknown attribute; expected src, alt, caption, decorative']],
    [
      'an expression',
      '<Figure src={"./a/chart.png"} alt="A chart" />',
      ['<Figure src={…}>: attribute values must be plain text such as src="…"', '<Figure>: expected src="./<slug>/diagram.png"'],
    ],
    ['a spread', '<Figure src="./a/chart.png" alt="A chart" {...props} />', ['<Figure {…}>: spread attributes are not allowed; write each attribute as name="value"']],
    ['content between the tags', '<Figure src="./a/chart.png" alt="A chart">A caption</Figure>', ['<Figure>: nothing goes between <Figure> and </Figure>; write the caption as caption="…" and close it with />']],
    [
      'a data: URL',
      '<Figure src="data:image/svg+xml,<svg/>" alt="x" />',
      ['image data:image/svg+xml,<svg/>: the data: scheme is not allowed in articles (it carries a whole document or script inside the URL); expected an http:, https:, mailto: or tel: URL, or a path such as /articles/<slug>'],
    ],
    ['a missing file', '<Figure src="./a/gone.png" alt="x" />', ['image ./a/gone.png: no such file (looked for a/gone.png)']],
  ])('%s', (_name, body, expected) => {
    expect(problems(body)).toEqual(expected.map((message) => `11 ${message}`));
  });
});
