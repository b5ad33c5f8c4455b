import { isSlug } from './schema';

/**
 * What an article body may contain beyond Markdown: the MDX authoring contract, shared by the
 * loader (which checks it) and the renderer (components/mdx, which implements it). Adding a
 * component to the MDX components map means adding its name here, or articles using it fail
 * the content check.
 */

export const MDX_COMPONENTS = ['Callout', 'Figure'] as const;
export type MdxComponentName = (typeof MDX_COMPONENTS)[number];

export const CALLOUT_TYPES = ['insight', 'tip', 'warning', 'note'] as const;
export type CalloutType = (typeof CALLOUT_TYPES)[number];

export function isCalloutType(value: unknown): value is CalloutType {
  return typeof value === 'string' && (CALLOUT_TYPES as readonly string[]).includes(value);
}

/** `<Figure src="./x.png" alt="…" caption="…" />`, or `decorative` instead of alt. */
export const FIGURE_ATTRIBUTES = ['src', 'alt', 'caption', 'decorative'] as const;

type JsxAttributes = { attributes: ReadonlyArray<{ type: string; name?: string; value?: unknown }> };

/** A Figure's plain-text attributes (expressions read as absent); `decorative` is true when written bare or ="true". */
export function figureAttributes(node: JsxAttributes): { src?: string; alt?: string; caption?: string; decorative: boolean } {
  const text = (name: string) => {
    const found = node.attributes.find((a) => a.type === 'mdxJsxAttribute' && a.name === name);
    return typeof found?.value === 'string' ? found.value : undefined;
  };
  const decorative = node.attributes.find((a) => a.type === 'mdxJsxAttribute' && a.name === 'decorative');
  return {
    src: text('src'),
    alt: text('alt'),
    caption: text('caption'),
    decorative: decorative !== undefined && (decorative.value === null || decorative.value === 'true'),
  };
}

/** The fence language of ASCII diagrams: ```diagram label="What it shows" */
export const DIAGRAM_LANGUAGE = 'diagram';

/** Reads `label="…"` from a diagram fence's meta string (what follows the language). */
export function parseDiagramMeta(meta: string | null | undefined): { label: string | undefined } {
  const match = /(?:^|\s)label=(?:"([^"]*)"|'([^']*)')/.exec(meta ?? '');
  const label = (match?.[1] ?? match?.[2])?.trim();
  return { label: label === '' ? undefined : label };
}

/**
 * `/articles/<slug>`, optionally with a trailing slash, `?query` or `#hash`, is a link to another
 * article. Returns undefined for any other URL (external, /tags/…, the /articles index).
 */
export function parseArticleHref(
  href: string,
): { slug: string; hash: string | undefined } | { invalid: true } | undefined {
  const match = /^\/articles\/([^?#]*)(?:\?[^#]*)?(?:#(.*))?$/.exec(href);
  if (!match) return undefined;
  const path = (match[1] ?? '').replace(/\/$/, '');
  if (path === '') return undefined;
  if (!isSlug(path)) return { invalid: true };
  const hash = match[2];
  return { slug: path, hash: hash === undefined || hash === '' ? undefined : safeDecode(hash) };
}

export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
