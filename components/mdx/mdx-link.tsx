import type { ComponentProps } from 'react';

/**
 * Plain anchors: the article body is static HTML sent once (components/article/article-body.tsx),
 * which turns a click on an internal link into a client-side navigation, prefetched on hover or
 * focus. No client component (next/link) can be in that tree: the HTML render gets it straight
 * from the server components, where a client component is only a reference. External links open
 * normally with a safe rel.
 */
export function MdxLink({ href = '', ...rest }: ComponentProps<'a'>) {
  // Internal pages, media files and footnote references (a[data-footnote-ref], one superscript
  // digit that app/styles/components.css pads into a target a finger can hit).
  if (href.startsWith('/') || href.startsWith('#')) return <a href={href} {...rest} />;
  return <a href={href} rel="noopener noreferrer" {...rest} />;
}
