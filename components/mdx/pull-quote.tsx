import type { ReactNode } from 'react';

/** A quotation with its attribution (see lib/mdx/remark-pull-quote.ts). */
export function PullQuote({ cite, children }: { cite: string; children: ReactNode }) {
  return (
    <figure className="pull-quote not-prose my-10 border-y border-zinc-200 py-6 text-center dark:border-zinc-800">
      <blockquote className="font-serif text-xl leading-snug text-balance text-zinc-900 italic sm:text-2xl dark:text-zinc-100">
        {children}
      </blockquote>
      <figcaption className="mt-4 text-sm font-medium tracking-wide text-zinc-600 dark:text-zinc-400">— {cite}</figcaption>
    </figure>
  );
}
