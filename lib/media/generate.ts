import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { SourceImage } from './source-image';
import { ENCODING, type ImagePlan, type MediaFile } from './variants';

/**
 * Writes the files of one image's plan into `outDir` with sharp (libvips), skipping those that
 * already exist: names are content hashes, so an existing file is the right one. Build-time only
 * (scripts/build-media.ts): the server never loads sharp. Each file is written under a temporary
 * name and renamed, so a reader (or a second build) never sees half a file.
 */
export async function writeImageFiles(image: SourceImage, plan: ImagePlan, outDir: string): Promise<{ written: MediaFile[]; kept: number }> {
  await fs.mkdir(outDir, { recursive: true });
  const written: MediaFile[] = [];
  let kept = 0;
  let input: Buffer | undefined;
  for (const file of plan.files) {
    const target = path.join(outDir, file.name);
    if (await exists(target)) {
      kept++;
      continue;
    }
    input ??= await fs.readFile(image.path);
    const bytes = file.copy ? input : await encode(input, image, file);
    const temporary = `${target}.${randomBytes(4).toString('hex')}.tmp`;
    await fs.writeFile(temporary, bytes);
    await fs.rename(temporary, target);
    written.push(file);
  }
  return { written, kept };
}

function encode(input: Buffer, image: SourceImage, file: MediaFile): Promise<Buffer> {
  // GIF frames stay frames (animated WebP). Metadata is not copied: a phone photo's EXIF holds
  // where it was taken. autoOrient applies the EXIF rotation the metadata would have carried.
  const pipeline = sharp(input, { animated: image.format === 'gif' })
    .autoOrient()
    .resize({ width: file.width, withoutEnlargement: true });
  switch (file.format) {
    case 'avif':
      return pipeline.avif(ENCODING.avif).toBuffer();
    case 'webp':
      return pipeline.webp(ENCODING.webp).toBuffer();
    case 'jpeg':
      // Only sources without transparency get a JPEG fallback; white in case one slipped through.
      return pipeline.flatten({ background: '#ffffff' }).jpeg(ENCODING.jpeg).toBuffer();
    case 'png':
      return pipeline.png(ENCODING.png).toBuffer();
    default:
      throw new Error(`no encoder for ${file.format}: ${file.name} is copied, not encoded`);
  }
}

/**
 * Why sharp cannot decode the file, or undefined when it can: a truncated upload or a damaged
 * file passes the header checks in source-image.ts but would fail the build's image step.
 * Decodes every pixel (into a tiny thumbnail), with the same strictness as writeImageFiles.
 */
export async function decodeProblem(image: SourceImage): Promise<string | undefined> {
  if (image.format === 'svg') return undefined;
  try {
    await sharp(image.path, { animated: image.format === 'gif' }).resize({ width: 16 }).raw().toBuffer();
    return undefined;
  } catch (error) {
    return cannotDecode(error);
  }
}

/** The editor's message for a file sharp cannot read. */
export function cannotDecode(error: unknown): string {
  return `the file cannot be decoded (${error instanceof Error ? error.message : String(error)}): export it again`;
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}
