// npm run icons   (rerun after changing the mark; the files it writes are committed)
//
// The site's icons, drawn here from one SVG mark and rendered with sharp (nothing downloaded):
//   app/icon.svg, app/favicon.ico (16/32/48), app/apple-icon.png (180)  -> linked in <head> by
//                                                                          Next's metadata files
//   public/icons/icon-192.png, icon-512.png, maskable-512.png           -> listed by app/manifest.ts
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { BRAND } from '../lib/brand';

const root = path.resolve(import.meta.dirname, '..');

/** A "Q": a ring and an accent tail. `inset` shrinks it into a maskable icon's safe zone. */
function mark({ rounded, inset = 0 }: { rounded: boolean; inset?: number }): string {
  const scale = 1 - inset * 2;
  const offset = 32 * inset * 2;
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">',
    `<rect width="64" height="64"${rounded ? ' rx="14"' : ''} fill="${BRAND.ink}"/>`,
    inset ? `<g transform="translate(${offset} ${offset}) scale(${scale})">` : '<g>',
    `<circle cx="30" cy="30" r="15" fill="none" stroke="${BRAND.paper}" stroke-width="7"/>`,
    `<path d="M38 38 49 49" stroke="${BRAND.accent}" stroke-width="7" stroke-linecap="round"/>`,
    '</g></svg>',
  ].join('');
}

const png = (svg: string, size: number) => sharp(Buffer.from(svg), { density: (72 * size) / 64 }).resize(size, size).png({ compressionLevel: 9 }).toBuffer();

/** An .ico holding PNG images (every browser since 2007 reads PNG entries). */
function ico(images: { size: number; data: Buffer }[]): Buffer {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // 1 = icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, data }, i) => {
    const entry = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, entry);
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1);
    header.writeUInt16LE(1, entry + 4); // colour planes
    header.writeUInt16LE(32, entry + 6); // bits per pixel
    header.writeUInt32LE(data.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += data.length;
  });
  return Buffer.concat([header, ...images.map((image) => image.data)]);
}

async function main(): Promise<void> {
  const tab = mark({ rounded: true });
  const square = mark({ rounded: false });
  const maskable = mark({ rounded: false, inset: 0.1 });
  const files: [string, Buffer | string][] = [
    ['app/icon.svg', `${tab}\n`],
    ['app/favicon.ico', ico(await Promise.all([16, 32, 48].map(async (size) => ({ size, data: await png(tab, size) }))))],
    ['app/apple-icon.png', await png(square, 180)],
    ['public/icons/icon-192.png', await png(tab, 192)],
    ['public/icons/icon-512.png', await png(tab, 512)],
    ['public/icons/maskable-512.png', await png(maskable, 512)],
  ];
  for (const [file, data] of files) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), data);
    console.log(`${file}: ${Buffer.byteLength(data)} bytes`);
  }
}

await main();
