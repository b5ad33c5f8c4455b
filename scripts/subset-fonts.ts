// npm run fonts   (rerun after upgrading geist or when an article needs a character outside the set)
//
// The geist package's variable fonts cut to what the site sets (Latin, punctuation, the arrows
// and box drawing of the diagrams) and to the weights the stylesheet asks for, with HarfBuzz's
// subsetter (subset-font, WebAssembly: nothing downloaded). The results are committed in
// lib/fonts/ and loaded by lib/fonts/index.ts; a character outside the set falls back to the next
// font in the stack, glyph by glyph.
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import subsetFont from 'subset-font';
import { MONO_EXTRA_RANGES, TEXT_RANGES, charactersOf } from '../lib/fonts/ranges';

const root = path.resolve(import.meta.dirname, '..');
// The package exports no package.json: find it from its font entry (dist/sans.js).
const geist = path.resolve(path.dirname(createRequire(import.meta.url).resolve('geist/font/sans')), '..');

const fonts = [
  {
    from: 'dist/fonts/geist-sans/Geist-Variable.woff2',
    to: 'lib/fonts/geist-sans-latin.woff2',
    ranges: TEXT_RANGES,
    // Body 400, links 500, bold and headings 600-700, the prose h1 800 (Tailwind typography).
    wght: { min: 400, max: 800 },
  },
  {
    from: 'dist/fonts/geist-mono/GeistMono-Variable.woff2',
    to: 'lib/fonts/geist-mono-latin.woff2',
    ranges: [...TEXT_RANGES, ...MONO_EXTRA_RANGES],
    // Code is 400; bold inside code 600-700.
    wght: { min: 400, max: 700 },
  },
];

for (const font of fonts) {
  const source = await readFile(path.join(geist, font.from));
  const subset = await subsetFont(source, charactersOf(font.ranges), { targetFormat: 'woff2', variationAxes: { wght: font.wght } });
  await writeFile(path.join(root, font.to), subset);
  console.log(`${font.to}: ${subset.length} bytes (from ${source.length})`);
}
