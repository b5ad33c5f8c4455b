import katex, { type KatexOptions } from 'katex';

/**
 * KaTeX settings shared by the content check and the renderers, so a formula the check accepts
 * renders the same way on the page (HTML + MathML) and in feeds (MathML alone).
 * `strict: 'ignore'`: LaTeX-compatibility warnings would only be console noise in the build;
 * what KaTeX cannot typeset at all is an error the check reports.
 */
export const KATEX_OPTIONS = { strict: 'ignore', trust: false } as const satisfies KatexOptions;

export const KATEX_VERSION: string = katex.version;

/**
 * KaTeX's stylesheet and fonts, copied into public/ under the version that renders the formulas
 * (lib/mdx/katex-assets.ts), so a new KaTeX never meets an old cached stylesheet. Only articles
 * with math link it (app/articles/[slug]/page.tsx).
 */
export const KATEX_ASSET_PATH = `/katex/${KATEX_VERSION}`;
export const KATEX_STYLESHEET = `${KATEX_ASSET_PATH}/katex.min.css`;
