import localFont from 'next/font/local';

/**
 * The site's two faces, Geist cut to Latin by scripts/subset-fonts.ts (24 KB and 30 KB instead of
 * the package's 69 KB and 71 KB). Only the text face is preloaded: it paints the first screen.
 * Code sits far below the fold, so the mono face loads when a page uses it, and `optional` keeps
 * it from swapping in late and shifting text that is already laid out (the fallback monospace
 * stays for that view; the cached font is used from the next one). next/font wants literal options.
 */
export const textFont = localFont({
  src: './geist-sans-latin.woff2',
  weight: '400 800',
  variable: '--font-geist-sans',
  display: 'swap',
  preload: true,
  // A size-adjusted Arial stands in until the font arrives, so the swap moves nothing.
  adjustFontFallback: 'Arial',
  fallback: ['ui-sans-serif', 'system-ui', 'sans-serif'],
});

export const codeFont = localFont({
  src: './geist-mono-latin.woff2',
  weight: '400 700',
  variable: '--font-geist-mono',
  display: 'optional',
  preload: false,
  adjustFontFallback: false,
  fallback: ['ui-monospace', 'DejaVu Sans Mono', 'monospace'],
});
