import type { ComponentProps } from 'react';

type SectionProps = ComponentProps<'section'> & { 'data-footnotes'?: boolean | string };

/**
 * The "Notes" section GFM footnotes add at the end of an article (options in lib/mdx/options.ts):
 * smaller type under a rule, a region named by its heading, the note a reader jumped to tinted,
 * and back-links that read as arrows, not as underlined text. Articles cannot write <section>
 * themselves (the HTML allow-list), so footnotes are the only sections an article has.
 */
export function Section({ 'data-footnotes': footnotes, ...props }: SectionProps) {
  if (footnotes === undefined) return <section {...props} />;
  return (
    <section
      {...props}
      data-footnotes
      aria-labelledby="footnote-label"
      className="footnotes"
    />
  );
}
