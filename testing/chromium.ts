/**
 * Debian's Chromium (no browser can be downloaded on these machines; CHROMIUM_PATH overrides) and
 * the flags that keep it quiet on a closed network: Playwright (playwright.config.ts) and
 * Lighthouse (bench/lighthouse.ts) launch the same browser the same way.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
