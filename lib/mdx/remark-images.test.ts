import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderToStaticMarkup } from 'react-dom/server';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MdxContent } from '@/components/mdx/mdx-content';
import { parseFrontmatter } from '@/lib/content/frontmatter';
import { renderArticleHtml } from './render-html';

/**
 * How images reach readers: the page's <figure>/<picture> (AVIF, WebP, fallback, width and
 * height, loading priority, full-size link, caption) and the feed's one absolute <img>.
 */

let dir: string;
let article: string;
const SITE = 'https://example.com';

const page = async (body: string, file = article) => renderToStaticMarkup(await MdxContent({ source: body, file }));
const feed = (body: string, file = article) => renderArticleHtml(body, SITE, { articleFile: file });
const attributes = (html: string, tag: string) =>
  [...html.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'g'))].map((m) =>
    Object.fromEntries([...(m[1] ?? '').matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'remark-images-'));
  article = path.join(dir, 'lag.mdx');
  fs.mkdirSync(path.join(dir, 'lag'));
  await sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#0369a1' } }).png().toFile(path.join(dir, 'lag', 'chart.png'));
  await sharp({ create: { width: 600, height: 400, channels: 3, background: '#a1a1aa' } }).jpeg().toFile(path.join(dir, 'lag', 'rack.jpg'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the page', () => {
  it('an image alone in its paragraph: a figure with a full-size link, <picture> with AVIF and WebP, a sized fallback, a caption', async () => {
    const html = await page('![Lag over one day](./lag/chart.png "Lag peaks at the nightly backup.")');
    expect(html).toMatch(
      /^<figure><a href="\/media\/chart-[0-9a-f]{12}-2000\.png" class="block"><picture><source type="image\/avif" srcSet="[^"]+"[^>]*\/><source type="image\/webp" srcSet="[^"]+"[^>]*\/><img [^>]+\/><\/picture><span class="sr-only"> \(full-size image\)<\/span><\/a><figcaption>Lag peaks at the nightly backup\.<\/figcaption><\/figure>$/,
    );
    const [avif, webp] = attributes(html, 'source');
    expect(avif?.srcSet?.split(', ').map((c: string) => c.replace(/^\/media\/chart-[0-9a-f]{12}-/, ''))).toEqual(['480.avif 480w', '800.avif 800w', '1200.avif 1200w', '1600.avif 1600w']);
    expect(webp?.srcSet).toMatch(/-1600\.webp 1600w$/);
    expect(avif?.sizes).toBe('(min-width: 50rem) 47rem, calc(100vw - 2rem)');
    const [img] = attributes(html, 'img');
    expect(img).toMatchObject({ width: '2000', height: '1000', alt: 'Lag over one day', sizes: avif?.sizes });
    expect(img?.src).toMatch(/^\/media\/chart-[0-9a-f]{12}-1200\.png$/);
    expect(img?.srcSet).toMatch(/-480\.png 480w, .*-1600\.png 1600w$/);
  });

  it('the first image before the first ## is eager and high priority; every other one lazy and decoded off the main thread', async () => {
    const html = await page('![First](./lag/chart.png)\n\nProse.\n\n![Second](./lag/rack.jpg)\n\n## Later\n\n![Third](./lag/chart.png)');
    expect(attributes(html, 'img').map(({ alt, loading, fetchPriority, decoding }) => ({ alt, loading, fetchPriority, decoding }))).toEqual([
      { alt: 'First', loading: 'eager', fetchPriority: 'high', decoding: undefined },
      { alt: 'Second', loading: 'lazy', fetchPriority: undefined, decoding: 'async' },
      { alt: 'Third', loading: 'lazy', fetchPriority: undefined, decoding: 'async' },
    ]);
  });

  it('no image is eager when the first one comes after a ## heading (below the fold)', async () => {
    const html = await page('Intro.\n\n## Section\n\n![Only](./lag/chart.png)');
    expect(attributes(html, 'img')[0]).toMatchObject({ loading: 'lazy', decoding: 'async' });
    expect(html).not.toContain('fetchPriority');
  });

  it('<Figure>: alt and caption as attributes; decorative means alt="" and no link', async () => {
    const html = await page('## S\n\n<Figure src="./lag/rack.jpg" alt="The rack" caption="Row 3, rack 12." />\n\n<Figure src="./lag/chart.png" decorative caption="Just colour." />');
    expect(html.match(/<figure>/g)).toHaveLength(2);
    expect(html).toContain('<figcaption>Row 3, rack 12.</figcaption>');
    expect(attributes(html, 'img').map((img) => img.alt)).toEqual(['The rack', '']);
    expect(attributes(html, 'a').filter((a) => a.href?.startsWith('/media/'))).toHaveLength(1);
    // A JPEG's fallback is JPEG.
    expect(attributes(html, 'img')[0]?.src).toMatch(/^\/media\/rack-[0-9a-f]{12}-600\.jpg$/);
  });

  it('two images in one paragraph are two figures', async () => {
    const html = await page('![One](./lag/chart.png)\n![Two](./lag/rack.jpg)');
    expect(html.match(/<figure>/g)).toHaveLength(2);
    expect(html).not.toContain('<p>');
  });

  it('an image inside text, a heading or a link stays inline: a <picture>, no figure, no second link', async () => {
    const html = await page('## Logo ![small](./lag/rack.jpg) here\n\nText ![inline](./lag/rack.jpg) text.\n\n[![linked](./lag/rack.jpg)](https://example.com)');
    expect(html).not.toContain('<figure');
    expect(html.match(/<picture>/g)).toHaveLength(3);
    expect(attributes(html, 'a').map((a) => a.href)).toEqual(['#logo--here', 'https://example.com']);
    expect(html).toContain('<h2 id="logo--here"');
  });

  it('the fixture articles render: an SVG is one sized <img>, a GIF gets animated WebP and stays the fallback', async () => {
    const file = path.resolve('test/fixtures/content/valid/gamma.mdx');
    const { body } = parseFrontmatter(fs.readFileSync(file, 'utf8'), file);
    const html = await page(body, file);
    const [svg, gif] = attributes(html, 'img');
    expect(svg).toMatchObject({ width: '640', height: '240', alt: 'Writes go to a memtable, which flushes to level-0 runs, which compact into level 1' });
    expect(svg?.src).toMatch(/^\/media\/lsm-tree-[0-9a-f]{12}\.svg$/);
    expect(svg?.srcSet).toBeUndefined();
    expect(gif).toMatchObject({ width: '24', height: '8', alt: '' });
    expect(gif?.src).toMatch(/^\/media\/progress-[0-9a-f]{12}\.gif$/);
    expect(attributes(html, 'source').map((s) => s.type)).toEqual(['image/webp']);
  });

  it('an image the check would refuse fails the render with its file, rather than shipping a broken picture', async () => {
    await expect(page('![Gone](./lag/missing.png)')).rejects.toThrow(`${article}: image ./lag/missing.png: no such file`);
  });
});

describe('the feed', () => {
  it('one <img>: the absolute URL of the ~1200 px fallback, its size, the alt text and the caption', () => {
    const html = feed('![Lag over one day](./lag/chart.png "Lag peaks at the nightly backup.")\n\n## S\n\nText ![inline](./lag/rack.jpg) text.');
    expect(html).toMatch(
      /^<figure><img src="https:\/\/example\.com\/media\/chart-[0-9a-f]{12}-1200\.png" width="1200" height="600" alt="Lag over one day"><figcaption>Lag peaks at the nightly backup\.<\/figcaption><\/figure>/,
    );
    expect(html).toMatch(/<p>Text <img src="https:\/\/example\.com\/media\/rack-[0-9a-f]{12}-600\.jpg" width="600" height="400" alt="inline"> text\.<\/p>$/);
    expect(html).not.toMatch(/picture|srcset|loading|\.avif|\.webp/);
  });

  it('<Figure> too, decorative ones with alt=""', () => {
    expect(feed('<Figure src="./lag/rack.jpg" decorative />')).toMatch(/^<figure><img src="https:\/\/example\.com\/media\/rack-[0-9a-f]{12}-600\.jpg" width="600" height="400" alt=""><\/figure>$/);
  });

  it('without the article file (a body rendered on its own) images are left as Markdown renders them', () => {
    expect(renderArticleHtml('![x](./lag/chart.png)', SITE)).toBe('<p><img src="./lag/chart.png" alt="x"></p>');
  });
});
