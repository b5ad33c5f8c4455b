import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type APIRequestContext, expect, test } from '@playwright/test';
import { REFERENCE_SLUG } from './support/content';

/**
 * What every page's <head> promises: the icons and the web manifest it links answer with the
 * right types and sizes (Lighthouse's best-practices audit failed on a 404 favicon), and exactly
 * one font is preloaded, the text face: the code face is not worth a preload on any page.
 */

const PAGES = ['/', `/articles/${REFERENCE_SLUG}`, '/articles', '/tags/distributed-systems'];

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const fontFile = (name: string) => readFileSync(path.join(process.cwd(), 'lib/fonts', name));

/** The <link> tags of a page as attribute maps (Next writes them in a fixed, simple form). */
async function linksOf(request: APIRequestContext, pathname: string): Promise<Record<string, string>[]> {
  const response = await request.get(pathname);
  expect(response.status(), pathname).toBe(200);
  const html = await response.text();
  return [...html.matchAll(/<link\b([^>]*)>/g)].map((tag) =>
    Object.fromEntries([...tag[1]!.matchAll(/([a-zA-Z-]+)="([^"]*)"/g)].map((a) => [a[1]!.toLowerCase(), a[2]!.replace(/&amp;/g, '&')])),
  );
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): string {
  expect(bytes.subarray(1, 4).toString('latin1'), 'not a PNG').toBe('PNG');
  return `${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`;
}

async function fetchOk(request: APIRequestContext, url: string, type: RegExp): Promise<Buffer> {
  const response = await request.get(url);
  expect(response.status(), url).toBe(200);
  expect(response.headers()['content-type'], `${url}: Content-Type`).toMatch(type);
  return response.body();
}

test.describe('icons and the web manifest', () => {
  test('/favicon.ico is a real icon (browsers ask for it whatever the page links)', async ({ request }) => {
    const ico = await fetchOk(request, '/favicon.ico', /^image\/(x-icon|vnd\.microsoft\.icon)/);
    expect([...ico.subarray(0, 4)], 'ICO header').toEqual([0, 0, 1, 0]);
  });

  for (const pathname of PAGES) {
    test(`${pathname} links an icon, an Apple touch icon and the manifest, all served`, async ({ request }) => {
      const links = await linksOf(request, pathname);
      const icons = links.filter((l) => l.rel === 'icon');
      expect(icons.map((l) => l.href?.split('?')[0]).sort(), 'rel=icon links').toEqual(['/favicon.ico', '/icon.svg']);
      for (const icon of icons) await fetchOk(request, icon.href!, icon.href!.startsWith('/icon.svg') ? /^image\/svg\+xml/ : /^image\//);
      const apple = links.find((l) => l.rel === 'apple-touch-icon');
      expect(apple, 'rel=apple-touch-icon').toBeTruthy();
      expect(pngSize(await fetchOk(request, apple!.href!, /^image\/png/)), 'apple-touch-icon size').toBe('180x180');
      const manifest = links.find((l) => l.rel === 'manifest');
      expect(manifest?.href, 'rel=manifest').toBe('/manifest.webmanifest');
    });
  }

  test('the manifest names the site and lists 192 and 512 px icons that exist at those sizes', async ({ request }) => {
    const body = await fetchOk(request, '/manifest.webmanifest', /^application\/manifest\+json/);
    const manifest = JSON.parse(body.toString('utf8')) as {
      name: string;
      short_name: string;
      theme_color: string;
      background_color: string;
      icons: { src: string; sizes: string; type: string; purpose?: string }[];
    };
    expect(manifest.name).toBe('Quorum');
    expect(manifest.short_name).toBe('Quorum');
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
    const sizes = manifest.icons.map((icon) => icon.sizes);
    expect(sizes).toContain('192x192');
    expect(sizes).toContain('512x512');
    expect(manifest.icons.some((icon) => icon.purpose === 'maskable'), 'a maskable icon').toBe(true);
    for (const icon of manifest.icons) {
      expect(icon.type).toBe('image/png');
      expect(pngSize(await fetchOk(request, icon.src, /^image\/png/)), icon.src).toBe(icon.sizes);
    }
  });
});

test.describe('fonts', () => {
  for (const pathname of PAGES) {
    test(`${pathname} preloads the text font only, the Latin cut (not the package's 69 KB file)`, async ({ request }) => {
      const preloads = (await linksOf(request, pathname)).filter((l) => l.rel === 'preload' && l.as === 'font');
      expect(preloads, 'font preloads').toHaveLength(1);
      const preloaded = await fetchOk(request, preloads[0]!.href!, /^font\/woff2/);
      expect(sha256(preloaded), 'the preloaded font is lib/fonts/geist-sans-latin.woff2').toBe(sha256(fontFile('geist-sans-latin.woff2')));
      expect(preloaded.length, 'text font bytes').toBeLessThan(30_000);
    });
  }

  test('the code font is still served, cut to Latin, for the stylesheet to load when code shows', async ({ request }) => {
    const html = await (await request.get(`/articles/${REFERENCE_SLUG}`)).text();
    const sheets = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]!);
    const fonts = new Set<string>();
    for (const href of sheets) {
      const css = await (await request.get(href)).text();
      // next/font writes urls relative to the stylesheet (../media/…).
      for (const m of css.matchAll(/url\(["']?([^)"']+\.woff2)["']?\)/g)) fonts.add(new URL(m[1]!, `http://site${href}`).pathname);
    }
    const hashes = await Promise.all([...fonts].map(async (url) => sha256(await fetchOk(request, url, /^font\/woff2/))));
    expect(hashes, 'the stylesheet names the Latin code font').toContain(sha256(fontFile('geist-mono-latin.woff2')));
    expect(fontFile('geist-mono-latin.woff2').length, 'code font bytes').toBeLessThan(35_000);
  });
});
