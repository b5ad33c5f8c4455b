/**
 * The site's colours outside its stylesheet: the icons (scripts/make-icons.ts), the web manifest
 * and the browser's theme colour (app/layout.tsx). Tailwind's zinc and sky, as the pages use them.
 */
export const BRAND = {
  /** The icon's ground: zinc-900. */
  ink: '#18181b',
  /** The icon's ring: zinc-50. */
  paper: '#fafafa',
  /** The icon's tail: sky-500. */
  accent: '#0ea5e9',
  /** The page background, light and dark (bg-white, dark:bg-zinc-950). */
  background: { light: '#ffffff', dark: '#09090b' },
} as const;
