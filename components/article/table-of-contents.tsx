import type { Heading } from '@/lib/content/types';

/** Articles with fewer sections than this read fine without a table of contents. */
export const TOC_MIN_HEADINGS = 4;

function TocList({ headings }: { headings: Heading[] }) {
  return (
    // Styled as .toc-list in app/styles/components.css: one entry per heading, twice a page.
    <ol className="toc-list">
      {/* Index keys: the list never changes on the client, and each key is sent in the RSC payload.
          No data-depth for a section (an undefined prop is still sent, as "$undefined"). */}
      {headings.map((heading, index) => (
        <li key={index} {...(heading.depth === 3 ? { 'data-depth': 3 } : {})}>
          <a href={`#${heading.id}`}>{heading.text}</a>
        </li>
      ))}
    </ol>
  );
}

export function hasTableOfContents(headings: Heading[]): boolean {
  return headings.length >= TOC_MIN_HEADINGS;
}

/** On phones and tablets: a collapsed <details> above the text (works without JavaScript). */
export function MobileTableOfContents({ headings }: { headings: Heading[] }) {
  return (
    <details className="toc-mobile">
      <summary>On this page</summary>
      <nav aria-label="Table of contents">
        <TocList headings={headings} />
      </nav>
    </details>
  );
}

/** On wide screens: a sticky list beside the text. */
export function SidebarTableOfContents({ headings }: { headings: Heading[] }) {
  return (
    <div className="toc-desktop">
      <nav aria-label="On this page">
        <p>On this page</p>
        <TocList headings={headings} />
      </nav>
    </div>
  );
}
