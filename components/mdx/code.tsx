import type { ComponentProps } from 'react';

/**
 * <code>. Inside a highlighted block, lib/mdx/rehype-code-compact.ts has turned its lines into one
 * HTML string, built at compile time from Shiki's output (the code's text escaped), which goes in
 * as it is; inline code has no such string and renders its children.
 */
export function Code({ 'data-html': html, children, ...rest }: ComponentProps<'code'> & { 'data-html'?: string }) {
  if (html === undefined) return <code {...rest}>{children}</code>;
  return <code {...rest} dangerouslySetInnerHTML={{ __html: html }} />;
}
