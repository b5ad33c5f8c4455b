import type { ReactNode } from 'react';

/** A quotation with its attribution (see lib/mdx/remark-pull-quote.ts). */
export function PullQuote({ cite, children }: { cite: string; children: ReactNode }) {
  return (
    // Styled as .pull-quote in app/styles/components.css; one text node for the caption.
    <figure className="pull-quote not-prose">
      <blockquote>{children}</blockquote>
      <figcaption>{`— ${cite}`}</figcaption>
    </figure>
  );
}
