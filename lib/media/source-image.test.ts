import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_IMAGE_BYTES, readSourceImage, readSourceImageCached, type SourceImage } from './source-image';

/** What an image file is, by its bytes: format, displayed size, transparency, hash. Images drawn here with sharp. */

let dir: string;
const at = (name: string) => path.join(dir, name);
const read = (name: string, salt = 'salt') => readSourceImage(at(name), salt);
const image = (name: string): SourceImage => {
  const result = read(name);
  if ('problem' in result) throw new Error(result.problem);
  return result.image;
};
const problem = (name: string) => {
  const result = read(name);
  return 'problem' in result ? result.problem : undefined;
};

const canvas = (width: number, height: number, alpha: number) =>
  sharp({ create: { width, height, channels: 4, background: { r: 3, g: 105, b: 161, alpha } } });

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'source-image-'));
  await canvas(300, 200, 1).png().toFile(at('chart.png'));
  await canvas(300, 200, 1).flatten().jpeg().toFile(at('photo.jpg'));
  // Stored 300×200 and marked "rotate 90°", as phones do: readers see it 200×300.
  await canvas(300, 200, 1).flatten().jpeg().withMetadata({ orientation: 6 }).toFile(at('portrait.jpg'));
  await canvas(300, 200, 1).flatten().webp().toFile(at('opaque.webp'));
  await canvas(300, 200, 0.5).webp().toFile(at('transparent.webp'));
  await canvas(300, 200, 0.5).webp({ lossless: true }).toFile(at('transparent-lossless.webp'));
  await canvas(300, 200, 1).flatten().avif().toFile(at('opaque.avif'));
  await canvas(300, 200, 0.5).avif().toFile(at('transparent.avif'));
  const frame = (colour: string) => sharp({ create: { width: 40, height: 30, channels: 3, background: colour } }).png().toBuffer();
  await sharp([await frame('#0369a1'), await frame('#a1a1aa')], { join: { animated: true } }).gif({ delay: [200, 200] }).toFile(at('spinner.gif'));
  fs.writeFileSync(at('drawing.svg'), '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 240"><rect width="1" height="1"/></svg>');
  await canvas(30, 20, 1).tiff().toFile(at('scan.png'));
  await canvas(30, 20, 1).flatten().toFormat('jpeg').toFile(at('named-wrong.png'));
  fs.writeFileSync(at('notes.png'), 'These are my notes, not a picture.\n');
  // A PNG signature and then nothing readable: the header's width and height are missing.
  fs.writeFileSync(at('truncated.png'), Buffer.from('89504e470d0a1a0a0000', 'hex'));
  fs.writeFileSync(at('huge.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
  fs.truncateSync(at('huge.png'), MAX_IMAGE_BYTES + 1);
  fs.writeFileSync(at('limit.png'), fs.readFileSync(at('chart.png')));
  fs.mkdirSync(at('folder.png'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('readSourceImage: the formats the site takes', () => {
  it.each([
    ['chart.png', 'png', 300, 200],
    ['photo.jpg', 'jpeg', 300, 200],
    ['portrait.jpg', 'jpeg', 200, 300],
    ['opaque.webp', 'webp', 300, 200],
    ['opaque.avif', 'avif', 300, 200],
    ['spinner.gif', 'gif', 40, 30],
    ['drawing.svg', 'svg', 640, 240],
    // The content decides, not the name.
    ['named-wrong.png', 'jpeg', 30, 20],
  ])('%s: %s, %i×%i as displayed', (name, format, width, height) => {
    expect(image(name)).toMatchObject({ path: at(name), format, width, height });
  });

  it('reads transparency from WebP and AVIF headers (it decides their fallback format)', () => {
    expect(image('opaque.webp').hasAlpha).toBe(false);
    expect(image('transparent.webp').hasAlpha).toBe(true);
    expect(image('transparent-lossless.webp').hasAlpha).toBe(true);
    expect(image('opaque.avif').hasAlpha).toBe(false);
    expect(image('transparent.avif').hasAlpha).toBe(true);
  });

  it('names files by content: the same bytes the same hash, other bytes or other settings another', () => {
    expect(image('chart.png').hash).toMatch(/^[0-9a-f]{12}$/);
    expect(image('limit.png').hash).toBe(image('chart.png').hash);
    expect(image('photo.jpg').hash).not.toBe(image('chart.png').hash);
    const other = read('chart.png', 'other settings');
    expect('image' in other && other.image.hash).not.toBe(image('chart.png').hash);
  });

  it('a URL-safe stem from the file name', () => {
    fs.copyFileSync(at('chart.png'), at('Replication Lag (p99).png'));
    expect(image('Replication Lag (p99).png').stem).toBe('replication-lag-p99');
    fs.copyFileSync(at('chart.png'), at('___.png'));
    expect(image('___.png').stem).toBe('image');
  });
});

describe('readSourceImage: what it refuses', () => {
  it.each([
    ['missing.png', 'no such file'],
    ['folder.png', 'a folder, not an image file'],
    ['huge.png', 'the file is 5.1 MB, over the 5 MB limit: export it smaller (1600 pixels wide is plenty; the site makes the smaller sizes itself)'],
    ['scan.png', 'a TIFF image, which not every browser shows: expected PNG, JPEG, WebP, AVIF, SVG or GIF; export it as one of those'],
    ['notes.png', 'not an image the site can show: its content is not PNG, JPEG, WebP, AVIF, SVG or GIF, whatever its name says'],
    ['truncated.png', 'the image is damaged: its header (format, width and height) cannot be read; export it again'],
  ])('%s', (name, message) => {
    expect(problem(name)).toBe(message);
  });

  it('exactly 5 MB is allowed', () => {
    fs.truncateSync(at('limit.png'), MAX_IMAGE_BYTES);
    expect(problem('limit.png')).toBeUndefined();
  });
});

describe('readSourceImageCached', () => {
  it('reads again when the file changes', async () => {
    fs.copyFileSync(at('chart.png'), at('changing.png'));
    const first = readSourceImageCached(at('changing.png'), 'salt');
    expect(readSourceImageCached(at('changing.png'), 'salt')).toBe(first);
    await canvas(60, 20, 1).png().toFile(at('changing.png'));
    fs.utimesSync(at('changing.png'), new Date(), new Date(Date.now() + 5_000));
    expect(readSourceImageCached(at('changing.png'), 'salt')).toMatchObject({ image: { width: 60, height: 20 } });
  });
});
