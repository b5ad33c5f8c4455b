import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkContent } from '@/lib/content/check';
import { buildMedia } from './build';
import { readSourceImage } from './source-image';
import { planImage, VARIANTS_SALT } from './variants';

/**
 * The build's image step (scripts/build-media.ts) with the real sharp: every file the renderer
 * names exists afterwards, in the format its name says, animated where the source was; a second
 * run writes nothing; files no article needs are removed; a damaged image is a file:line error
 * here and in content:check.
 */

let root: string;
let content: string;
let media: string;

const article = (name: string, body: string, extra = '') =>
  fs.writeFileSync(
    path.join(content, `${name}.mdx`),
    `---\ntitle: "${name}"\ndescription: "A test article."\ndate: 2026-03-01\nauthor: Test Author\ntags: [testing]\ntakeaways:\n  - "One."\n${extra}---\n\n${body}\n`,
  );
const planOf = (file: string) => {
  const read = readSourceImage(path.join(content, file), VARIANTS_SALT);
  if ('problem' in read) throw new Error(read.problem);
  return planImage(read.image);
};

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'build-media-'));
  content = path.join(root, 'content');
  media = path.join(root, 'public', 'media');
  fs.mkdirSync(path.join(content, 'alpha'), { recursive: true });
  await sharp({ create: { width: 1000, height: 500, channels: 3, background: '#0369a1' } }).png().toFile(path.join(content, 'alpha', 'chart.png'));
  await sharp({ create: { width: 900, height: 600, channels: 3, background: '#a1a1aa' } }).jpeg().toFile(path.join(content, 'alpha', 'photo.jpg'));
  const frame = (colour: string) => sharp({ create: { width: 600, height: 100, channels: 3, background: colour } }).png().toBuffer();
  await sharp([await frame('#0369a1'), await frame('#a1a1aa')], { join: { animated: true } })
    .gif({ delay: [200, 200], loop: 0 })
    .toFile(path.join(content, 'alpha', 'spinner.gif'));
  fs.writeFileSync(path.join(content, 'alpha', 'topology.svg'), '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 24"><rect width="64" height="24"/></svg>');
  article('alpha', '![A chart](./alpha/chart.png)\n\n![Loading](./alpha/spinner.gif)\n\n<Figure src="./alpha/topology.svg" alt="The topology" />\n\n![The chart again](./alpha/chart.png)');
  article('draft', '![A photo](./alpha/photo.jpg)', 'draft: true\n');
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('buildMedia', () => {
  it('writes every file the pages and feeds name, once per image, drafts included', async () => {
    const result = await buildMedia({ contentDir: content, outDir: media, root });
    expect(result.problems).toEqual([]);
    const expected = ['alpha/chart.png', 'alpha/spinner.gif', 'alpha/topology.svg', 'alpha/photo.jpg'].flatMap((file) => planOf(file).files);
    expect(result).toMatchObject({ images: 4, written: expected.length, kept: 0, removed: 0 });
    expect(fs.readdirSync(media).sort()).toEqual(expected.map((f) => f.name).sort());

    for (const file of expected) {
      const meta = await sharp(path.join(media, file.name), { animated: true }).metadata();
      const format = { avif: 'heif', jpeg: 'jpeg', png: 'png', webp: 'webp', gif: 'gif', svg: 'svg' }[file.format];
      expect(meta.format, file.name).toBe(format);
      expect(meta.width, file.name).toBe(file.width);
      expect(meta.pageHeight ?? meta.height, file.name).toBe(file.height);
      if (format === 'heif') expect(meta.compression, file.name).toBe('av1');
    }
  });

  it('keeps the GIF animated: every WebP has both frames', async () => {
    for (const file of planOf('alpha/spinner.gif').sources[0]?.files ?? []) {
      const meta = await sharp(path.join(media, file.name), { animated: true }).metadata();
      expect(meta.pages, file.name).toBe(2);
    }
  });

  it('strips metadata from what it encodes (a photo\'s EXIF says where it was taken)', async () => {
    const file = planOf('alpha/photo.jpg').files.find((f) => f.format === 'jpeg');
    expect((await sharp(path.join(media, file?.name ?? '')).metadata()).exif).toBeUndefined();
  });

  it('a second run writes nothing; files no article needs any more are removed', async () => {
    fs.writeFileSync(path.join(media, 'old-000000000000-800.avif'), 'stale');
    const again = await buildMedia({ contentDir: content, outDir: media, root });
    expect(again).toMatchObject({ problems: [], written: 0, removed: 1 });
    expect(again.kept).toBe(fs.readdirSync(media).length);
  });

  it('a damaged image (a good header, then half the data) is a file:line problem, also in content:check', async () => {
    const whole = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png().toBuffer();
    fs.writeFileSync(path.join(content, 'alpha', 'cut.png'), whole.subarray(0, Math.floor(whole.length / 2)));
    article('cut', 'Some prose.\n\n![Half a picture](./alpha/cut.png)');
    try {
      const result = await buildMedia({ contentDir: content, outDir: media, root });
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]).toMatch(/^content\/cut\.mdx:13 image \.\/alpha\/cut\.png: the file cannot be decoded \(.+\): export it again$/);
      const check = await checkContent({ dir: content, root, now: new Date('2026-03-15T00:00:00Z') });
      expect(check.problems).toEqual([expect.stringMatching(/^\S*content\/cut\.mdx:13 image \.\/alpha\/cut\.png: the file cannot be decoded/)]);
    } finally {
      fs.rmSync(path.join(content, 'cut.mdx'));
    }
  });
});
