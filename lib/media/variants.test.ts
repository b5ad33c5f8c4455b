import { describe, expect, it } from 'vitest';
import type { SourceImage } from './source-image';
import { planImage, srcset, srcsetWidths } from './variants';

/** Which files an image becomes, under which names: the renderer and the build step both rely on this. */

const source = (overrides: Partial<SourceImage>): SourceImage => ({
  path: '/content/x/lag.png',
  format: 'png',
  width: 1600,
  height: 900,
  hasAlpha: true,
  hash: 'abcdef012345',
  stem: 'lag',
  ...overrides,
});

const names = (files: { name: string }[]) => files.map((f) => f.name);

describe('srcsetWidths', () => {
  it.each([
    [3000, [480, 800, 1200, 1600]],
    [1600, [480, 800, 1200, 1600]],
    [1100, [480, 800, 1100]],
    [480, [480]],
    [300, [300]],
  ])('a %i px source: %j', (width, widths) => {
    expect(srcsetWidths(width)).toEqual(widths);
  });
});

describe('planImage', () => {
  it('a PNG: AVIF and WebP sources, a PNG fallback, the 1200 px PNG for src and feeds, full size in the srcset', () => {
    const plan = planImage(source({}));
    expect(plan.sources.map((s) => s.type)).toEqual(['image/avif', 'image/webp']);
    expect(names(plan.sources[0]?.files ?? [])).toEqual(['lag-abcdef012345-480.avif', 'lag-abcdef012345-800.avif', 'lag-abcdef012345-1200.avif', 'lag-abcdef012345-1600.avif']);
    expect(names(plan.fallback)).toEqual(['lag-abcdef012345-480.png', 'lag-abcdef012345-800.png', 'lag-abcdef012345-1200.png', 'lag-abcdef012345-1600.png']);
    expect(plan.src).toMatchObject({ url: '/media/lag-abcdef012345-1200.png', width: 1200, height: 675 });
    expect(plan.full).toMatchObject({ url: '/media/lag-abcdef012345-1600.png', width: 1600, height: 900 });
    expect(plan.files).toHaveLength(12);
    expect(new Set(names(plan.files)).size).toBe(12);
    expect(srcset(plan.fallback)).toBe(
      '/media/lag-abcdef012345-480.png 480w, /media/lag-abcdef012345-800.png 800w, /media/lag-abcdef012345-1200.png 1200w, /media/lag-abcdef012345-1600.png 1600w',
    );
  });

  it('a large JPEG: JPEG fallback, and one more file for the full-size view', () => {
    const plan = planImage(source({ format: 'jpeg', width: 4000, height: 3000, hasAlpha: false, stem: 'rack' }));
    expect(names(plan.fallback).at(-1)).toBe('rack-abcdef012345-1600.jpg');
    expect(plan.full).toMatchObject({ name: 'rack-abcdef012345-4000.jpg', width: 4000, height: 3000, copy: false });
    expect(plan.files).toHaveLength(13);
  });

  it('a small image is never enlarged', () => {
    const plan = planImage(source({ width: 300, height: 100 }));
    expect(plan.files.map((f) => `${f.format} ${f.width}×${f.height}`)).toEqual(['avif 300×100', 'webp 300×100', 'png 300×100']);
    expect(plan.src).toBe(plan.full);
  });

  it('WebP and AVIF sources fall back to JPEG, or to PNG when they are transparent', () => {
    expect(planImage(source({ format: 'webp', hasAlpha: false })).src.format).toBe('jpeg');
    expect(planImage(source({ format: 'webp', hasAlpha: true })).src.format).toBe('png');
    expect(planImage(source({ format: 'avif', hasAlpha: false })).src.format).toBe('jpeg');
    expect(planImage(source({ format: 'avif', hasAlpha: true })).src.format).toBe('png');
  });

  it('a GIF stays animated: WebP at each width, the GIF itself as the fallback, the feed image and the full size', () => {
    const plan = planImage(source({ format: 'gif', width: 800, height: 600, stem: 'spinner' }));
    expect(plan.sources).toEqual([{ type: 'image/webp', files: expect.any(Array) }]);
    expect(names(plan.sources[0]?.files ?? [])).toEqual(['spinner-abcdef012345-480.webp', 'spinner-abcdef012345-800.webp']);
    expect(plan.fallback).toEqual([plan.src]);
    expect(plan.src).toEqual({ name: 'spinner-abcdef012345.gif', url: '/media/spinner-abcdef012345.gif', format: 'gif', width: 800, height: 600, copy: true });
    expect(plan.full).toBe(plan.src);
  });

  it('an SVG is itself, once', () => {
    const plan = planImage(source({ format: 'svg', width: 640, height: 240, stem: 'topology' }));
    expect(plan.sources).toEqual([]);
    expect(plan.files).toEqual([{ name: 'topology-abcdef012345.svg', url: '/media/topology-abcdef012345.svg', format: 'svg', width: 640, height: 240, copy: true }]);
  });
});
