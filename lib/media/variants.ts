import type { SourceImage } from './source-image';

/**
 * Which files the site makes from one source image, and their names: a pure function of the
 * source (its format, size and content hash), so the renderer can name them without waiting for
 * them, and scripts/build-media.ts writes exactly these. Content-hashed names never change meaning:
 * a new build's files never collide with an old one's that a browser or CDN still caches.
 *
 *   PNG, JPEG, WebP, AVIF   AVIF + WebP at each width, plus a fallback (JPEG, or PNG when the
 *                           source is a PNG or has transparency) at each width and at full size
 *   GIF                     animated WebP at each width; the GIF itself as the fallback
 *                           (libvips writes no animated AVIF)
 *   SVG                     the file itself (checked for scripts; it scales by itself)
 */

/** Served by Next from public/media (gitignored; made by scripts/build-media.ts). */
export const MEDIA_URL_PATH = '/media';

/**
 * The widths in every srcset. The article column is at most 70ch (743 CSS pixels in Geist), so
 * 480 covers small phones, 800 the column at 1x, 1200 phones at 3x and 1600 the column at 2x;
 * never wider than the source.
 */
export const WIDTHS = [480, 800, 1200, 1600] as const;

/** The width of the one image feeds and emails get. */
export const FEED_WIDTH = 1200;

/** The column's width, for the browser to choose from a srcset before layout: 743 px, or the viewport less its padding. */
export const SIZES = '(min-width: 50rem) 47rem, calc(100vw - 2rem)';

export const ENCODING = {
  avif: { quality: 55, effort: 2 },
  webp: { quality: 80, effort: 4 },
  jpeg: { quality: 82, mozjpeg: true },
  png: { compressionLevel: 9 },
} as const;

/** Part of every hash, so changing a width or a setting renames every file made with it. */
export const VARIANTS_SALT = JSON.stringify({ v: 1, WIDTHS, ENCODING });

export type MediaFormat = 'avif' | 'webp' | 'jpeg' | 'png' | 'gif' | 'svg';

export const MIME_TYPES: Readonly<Record<MediaFormat, string>> = {
  avif: 'image/avif',
  webp: 'image/webp',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  svg: 'image/svg+xml',
};

const EXTENSIONS: Readonly<Record<MediaFormat, string>> = { avif: 'avif', webp: 'webp', jpeg: 'jpg', png: 'png', gif: 'gif', svg: 'svg' };

export type MediaFile = {
  /** File name in public/media. */
  name: string;
  /** Root-relative URL: /media/<name>. */
  url: string;
  format: MediaFormat;
  width: number;
  height: number;
  /** The source's own bytes, copied (GIF and SVG); otherwise encoded from it by sharp. */
  copy: boolean;
};

export type ImagePlan = {
  /** <source> elements, best first: AVIF, then WebP. */
  sources: { type: string; files: MediaFile[] }[];
  /** The <img> srcset, in a format every browser and feed reader shows. */
  fallback: MediaFile[];
  /** The <img> src, and the image feeds and emails carry: the fallback nearest FEED_WIDTH. */
  src: MediaFile;
  /** What the full-size link opens. */
  full: MediaFile;
  /** Every file to write, once each. */
  files: MediaFile[];
};

export function planImage(image: SourceImage): ImagePlan {
  const file = (format: MediaFormat, width: number, copy = false): MediaFile => {
    const name = copy ? `${image.stem}-${image.hash}.${EXTENSIONS[format]}` : `${image.stem}-${image.hash}-${width}.${EXTENSIONS[format]}`;
    return { name, url: `${MEDIA_URL_PATH}/${name}`, format, width, height: Math.max(1, Math.round((image.height * width) / image.width)), copy };
  };

  if (image.format === 'svg') {
    const only = file('svg', image.width, true);
    return { sources: [], fallback: [only], src: only, full: only, files: [only] };
  }

  const widths = srcsetWidths(image.width);
  if (image.format === 'gif') {
    const gif = file('gif', image.width, true);
    const webp = widths.map((width) => file('webp', width));
    return { sources: [{ type: MIME_TYPES.webp, files: webp }], fallback: [gif], src: gif, full: gif, files: [...webp, gif] };
  }

  const fallbackFormat: MediaFormat = image.format === 'png' || image.hasAlpha ? 'png' : 'jpeg';
  const modern = (['avif', 'webp'] as const).map((format) => ({ type: MIME_TYPES[format], files: widths.map((width) => file(format, width)) }));
  const fallback = widths.map((width) => file(fallbackFormat, width));
  const full = fallback.find((f) => f.width === image.width) ?? file(fallbackFormat, image.width);
  const src = [...fallback].reverse().find((f) => f.width <= FEED_WIDTH) ?? (fallback[0] as MediaFile);
  return {
    sources: modern,
    fallback,
    src,
    full,
    files: [...modern.flatMap((s) => s.files), ...fallback, ...(fallback.includes(full) ? [] : [full])],
  };
}

/** WIDTHS narrower than the source, then the source's own width (at most the widest of WIDTHS). */
export function srcsetWidths(sourceWidth: number): number[] {
  const widest = Math.min(sourceWidth, WIDTHS[WIDTHS.length - 1] as number);
  return [...WIDTHS.filter((width) => width < widest), widest];
}

/** `"/media/a-480.avif 480w, /media/a-800.avif 800w"` */
export function srcset(files: readonly MediaFile[], url: (file: MediaFile) => string = (f) => f.url): string {
  return files.map((f) => `${url(f)} ${f.width}w`).join(', ');
}
