/**
 * The characters the site's fonts keep (scripts/subset-fonts.ts). TEXT_RANGES is Google Fonts'
 * "latin" subset plus the arrows the pages use; code also draws diagrams with box drawing and
 * geometric shapes.
 */
type Range = readonly [number, number];

export const TEXT_RANGES: readonly Range[] = [
  [0x0000, 0x00ff], // Basic Latin, Latin-1
  [0x0131, 0x0131],
  [0x0152, 0x0153],
  [0x02bb, 0x02bc],
  [0x02c6, 0x02c6],
  [0x02da, 0x02da],
  [0x02dc, 0x02dc],
  [0x0304, 0x0304],
  [0x0308, 0x0308],
  [0x0329, 0x0329],
  [0x2000, 0x206f], // General Punctuation: dashes, curly quotes, ellipsis
  [0x20ac, 0x20ac],
  [0x2122, 0x2122],
  [0x2190, 0x2193], // ← ↑ → ↓
  [0x2212, 0x2212],
  [0x2215, 0x2215],
  [0xfeff, 0xfeff],
  [0xfffd, 0xfffd],
];

export const MONO_EXTRA_RANGES: readonly Range[] = [
  [0x2194, 0x21ff], // more arrows
  [0x2500, 0x259f], // box drawing, block elements
  [0x25a0, 0x25ff], // geometric shapes (▲ ▼ ●)
];

/** Every character in `ranges`, as subset-font takes them. */
export function charactersOf(ranges: readonly Range[]): string {
  let text = '';
  for (const [from, to] of ranges) for (let code = from; code <= to; code += 1) text += String.fromCodePoint(code);
  return text;
}
