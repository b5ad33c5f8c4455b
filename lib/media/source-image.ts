import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { imageSize } from 'image-size';
import { inspectSvg } from './svg';

/**
 * An image file an article shows, as read from content/: what it really is (by its bytes, not
 * its name), its size as displayed, and a hash of its content that names every file made from
 * it. Synchronous on purpose: the content loader, which `next build` and `npm run dev` call
 * through generateStaticParams, is synchronous, and must refuse a bad image with file:line.
 */

/** The largest image file an editor may add. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

export const IMAGE_FORMAT_NAMES = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP', avif: 'AVIF', svg: 'SVG', gif: 'GIF' } as const;
export type ImageFormat = keyof typeof IMAGE_FORMAT_NAMES;

export type SourceImage = {
  /** Absolute path of the file in content/. */
  path: string;
  format: ImageFormat;
  /** As a reader sees it: a JPEG's EXIF rotation applied. */
  width: number;
  height: number;
  /** Transparency, where it decides the fallback format (WebP and AVIF sources; PNG stays PNG). */
  hasAlpha: boolean;
  /** 12 hex digits of SHA-256 over the bytes and the encoding settings. */
  hash: string;
  /** The file name as a URL-safe stem: "Replication Lag.png" → "replication-lag". */
  stem: string;
};

export type SourceImageResult = { image: SourceImage } | { problem: string };

// What image-size calls the raster formats we take (AVIF is one brand of its "heif"); SVG is read by svg.ts.
const SNIFFED: Readonly<Record<string, ImageFormat>> = { png: 'png', jpg: 'jpeg', webp: 'webp', avif: 'avif', gif: 'gif' };
const OTHER_NAMES: Readonly<Record<string, string>> = {
  bmp: 'BMP', cur: 'cursor', dds: 'DDS', heic: 'HEIC', heif: 'HEIF', icns: 'ICNS', ico: 'icon', j2c: 'JPEG 2000', jp2: 'JPEG 2000',
  jxl: 'JPEG XL', ktx: 'KTX', pnm: 'PNM', psd: 'Photoshop', tga: 'TGA', tiff: 'TIFF',
};
export const ACCEPTED_FORMATS_TEXT = 'PNG, JPEG, WebP, AVIF, SVG or GIF';

/** `salt` joins the hash: files made with other settings get other names (see variants.ts). */
export function readSourceImage(file: string, salt: string): SourceImageResult {
  let size: number;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return { problem: 'a folder, not an image file' };
    size = stat.size;
  } catch {
    return { problem: 'no such file' };
  }
  if (size > MAX_IMAGE_BYTES) {
    return {
      problem: `the file is ${megabytes(size)}, over the ${megabytes(MAX_IMAGE_BYTES)} limit: export it smaller (1600 pixels wide is plenty; the site makes the smaller sizes itself)`,
    };
  }

  const bytes = fs.readFileSync(file);
  const svg = () => {
    const inspected = inspectSvg(bytes.toString('utf8'));
    if ('problem' in inspected) return inspected;
    return { image: { path: file, format: 'svg' as const, ...inspected, hasAlpha: true, hash: hashOf(bytes, salt), stem: stemOf(file) } };
  };
  if (looksLikeSvg(bytes)) return svg();

  // image-size reads the format from the magic bytes and the size from the header, synchronously.
  let sniffed: ReturnType<typeof imageSize>;
  try {
    sniffed = imageSize(bytes);
  } catch (error) {
    const unknown = error instanceof Error && error.message.startsWith('unsupported file type');
    return {
      problem: unknown
        ? `not an image the site can show: its content is not ${ACCEPTED_FORMATS_TEXT}, whatever its name says`
        : 'the image is damaged: its header (format, width and height) cannot be read; export it again',
    };
  }
  if (sniffed.type === 'svg') return svg();
  const format = SNIFFED[sniffed.type ?? ''];
  if (format === undefined) {
    const what = OTHER_NAMES[sniffed.type ?? ''] ?? (sniffed.type ?? 'unknown').toUpperCase();
    return { problem: `a ${what} image, which not every browser shows: expected ${ACCEPTED_FORMATS_TEXT}; export it as one of those` };
  }
  if (!(sniffed.width > 0 && sniffed.height > 0)) {
    return { problem: 'the image is damaged: its header (format, width and height) cannot be read; export it again' };
  }

  // EXIF orientations 5–8 turn the picture a quarter: the displayed width is the stored height.
  const turned = (sniffed.orientation ?? 1) >= 5;
  return {
    image: {
      path: file,
      format,
      width: turned ? sniffed.height : sniffed.width,
      height: turned ? sniffed.width : sniffed.height,
      hasAlpha: hasAlpha(format, bytes),
      hash: hashOf(bytes, salt),
      stem: stemOf(file),
    },
  };
}

/**
 * Transparency read from the header, without decoding: WebP's VP8X flags or VP8L alpha bit;
 * AVIF's alpha auxiliary image, which names itself with this URN. Other formats do not need it.
 */
function hasAlpha(format: ImageFormat, bytes: Buffer): boolean {
  if (format === 'webp') {
    const chunk = bytes.toString('latin1', 12, 16);
    if (chunk === 'VP8X') return ((bytes[20] ?? 0) & 0x10) !== 0;
    if (chunk === 'VP8L') return ((bytes.readUInt32LE(21) >>> 28) & 1) === 1;
    return false;
  }
  if (format === 'avif') return bytes.includes('urn:mpeg:mpegB:cicp:systems:auxiliary:alpha') || bytes.includes('urn:mpeg:hevc:2015:auxid:1');
  return format !== 'jpeg';
}

function hashOf(bytes: Buffer, salt: string): string {
  return createHash('sha256').update(salt).update(bytes).digest('hex').slice(0, 12);
}

/** Text whose first kilobytes hold an <svg> tag (after an XML declaration, comments or a DOCTYPE), and no raster magic. */
function looksLikeSvg(bytes: Buffer): boolean {
  return bytes[0] !== 0x89 && bytes[0] !== 0xff && /<svg[\s>/]/i.test(bytes.toString('utf8', 0, 4096));
}

function stemOf(file: string): string {
  const stem = path
    .basename(file, path.extname(file))
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return stem === '' ? 'image' : stem;
}

function megabytes(bytes: number): string {
  // Rounded up, so a file just over the limit never reads "5 MB, over the 5 MB limit".
  const tenths = Math.ceil((bytes / (1024 * 1024)) * 10) / 10;
  return `${tenths} MB`;
}

// The renderer asks for the same file once per page and once per feed: read it once per change.
const cache = new Map<string, { key: string; result: SourceImageResult }>();

/** readSourceImage, remembered while the file's size and modification time stay the same. */
export function readSourceImageCached(file: string, salt: string): SourceImageResult {
  let key: string;
  try {
    const stat = fs.statSync(file);
    key = `${salt}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return readSourceImage(file, salt);
  }
  const hit = cache.get(file);
  if (hit?.key === key) return hit.result;
  const result = readSourceImage(file, salt);
  cache.set(file, { key, result });
  return result;
}
