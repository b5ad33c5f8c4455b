import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KATEX_STYLESHEET, KATEX_VERSION } from './katex';
import { syncKatexAssets, woff2Only } from './katex-assets';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

/** A project root whose node_modules is this project's, so `katex` resolves as in a build. */
function tempProject(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'katex-assets-'));
  roots.push(root);
  fs.writeFileSync(path.join(root, 'package.json'), '{}');
  fs.symlinkSync(path.resolve('node_modules'), path.join(root, 'node_modules'));
  return root;
}

describe('syncKatexAssets', () => {
  it('writes the stylesheet the page links, and every font it names, under the installed version', () => {
    const root = tempProject();
    expect(syncKatexAssets(root).copied).toBe(true);
    const css = fs.readFileSync(path.join(root, 'public', KATEX_STYLESHEET), 'utf8');
    expect(KATEX_STYLESHEET).toBe(`/katex/${KATEX_VERSION}/katex.min.css`);
    expect(css).toContain('.katex{');

    const fonts = [...css.matchAll(/url\(([^)]+)\)/g)].map((m) => m[1] ?? '');
    expect(fonts.length).toBeGreaterThan(15);
    for (const font of fonts) {
      expect(font).toMatch(/^fonts\/KaTeX_[\w-]+\.woff2$/);
      expect(fs.existsSync(path.join(root, 'public', 'katex', KATEX_VERSION, font)), font).toBe(true);
    }
    // Nothing else: no WOFF/TTF copies nobody fetches, no temporary folder left behind.
    const shipped = fs.readdirSync(path.join(root, 'public', 'katex', KATEX_VERSION, 'fonts'));
    expect(shipped.sort()).toEqual([...new Set(fonts.map((f) => f.slice('fonts/'.length)))].sort());
    expect(fs.readdirSync(path.join(root, 'public', 'katex'))).toEqual([KATEX_VERSION]);
  });

  it('leaves a complete copy alone, and removes the folders of other versions', () => {
    const root = tempProject();
    fs.mkdirSync(path.join(root, 'public', 'katex', '0.0.1'), { recursive: true });
    expect(syncKatexAssets(root).copied).toBe(true);
    expect(fs.readdirSync(path.join(root, 'public', 'katex'))).toEqual([KATEX_VERSION]);
    expect(syncKatexAssets(root).copied).toBe(false);
  });
});

it('woff2Only keeps the first source of each @font-face', () => {
  expect(woff2Only('src:url(fonts/A.woff2) format("woff2"),url(fonts/A.woff) format("woff"),url(fonts/A.ttf) format("truetype")}')).toBe(
    'src:url(fonts/A.woff2) format("woff2")}',
  );
});
