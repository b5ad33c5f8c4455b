import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { KATEX_ASSET_PATH } from './katex';

/**
 * Copies KaTeX's stylesheet and fonts from node_modules into public/katex/<version>/, where Next
 * serves them as static files from this origin (the CSP's style-src and font-src 'self'). Called
 * from next.config.ts, the one file `next build`, `next dev` and every script that builds share.
 * public/katex/ is generated (gitignored), and replaced whenever the installed version changes.
 *
 * Only the WOFF2 fonts are shipped, and the stylesheet's @font-face rules name only them: every
 * browser the site supports reads WOFF2, so the WOFF and TTF copies would be 900 KB never fetched.
 */
export function syncKatexAssets(projectRoot: string): { dir: string; copied: boolean } {
  const require = createRequire(path.join(projectRoot, 'package.json'));
  const dist = path.dirname(require.resolve('katex/dist/katex.min.css'));
  const publicRoot = path.join(projectRoot, 'public', 'katex');
  const dir = path.join(projectRoot, 'public', ...KATEX_ASSET_PATH.split('/').filter(Boolean));
  const stylesheet = path.join(dir, 'katex.min.css');
  if (fs.existsSync(stylesheet)) return { dir, copied: false };

  const css = woff2Only(fs.readFileSync(path.join(dist, 'katex.min.css'), 'utf8'));
  const fonts = [...css.matchAll(/url\(fonts\/([^)]+)\)/g)].map((match) => match[1] ?? '');
  // Written to a temporary folder and renamed, so a build killed half-way never leaves a
  // stylesheet whose fonts are missing (the existence check above would then keep it forever),
  // and two processes evaluating next.config.ts at once cannot interleave their files.
  const staging = path.join(publicRoot, `.tmp-${process.pid}-${Date.now()}`);
  fs.mkdirSync(path.join(staging, 'fonts'), { recursive: true });
  for (const font of new Set(fonts)) fs.copyFileSync(path.join(dist, 'fonts', font), path.join(staging, 'fonts', font));
  fs.writeFileSync(path.join(staging, 'katex.min.css'), css);
  try {
    fs.renameSync(staging, dir);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (fs.existsSync(stylesheet)) return { dir, copied: false }; // another process was first
    throw error;
  }
  // Earlier versions' folders go: nothing links them any more.
  for (const entry of fs.readdirSync(publicRoot)) {
    if (entry !== path.basename(dir) && !entry.startsWith('.tmp-')) fs.rmSync(path.join(publicRoot, entry), { recursive: true, force: true });
  }
  return { dir, copied: true };
}

/** `src:url(a.woff2) format("woff2"),url(a.woff) format("woff"),url(a.ttf) format("truetype")` → the first. */
export function woff2Only(css: string): string {
  return css.replace(/,url\([^)]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)/g, '');
}
