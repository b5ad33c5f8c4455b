import type { ComponentProps } from 'react';

/**
 * Plain anchors: the article body is static HTML sent once (components/article/article-body.tsx),
 * which turns a click on an internal link into a client-side navigation and prefetches it on
 * hover or focus, as next/link would. External links open normally with a safe rel.
 */
export function MdxLink({ href = '', ...rest }: ComponentProps<'a'>) {
  // Internal pages, media files and footnote references (a[data-footnote-ref], one superscript
  // digit that app/styles/components.css pads into a target a finger can hit).
  if (href.startsWith('/') || href.startsWith('#')) return <a href={href} {...rest} />;
  return <a href={href} rel="noopener noreferrer" {...rest} />;
}
