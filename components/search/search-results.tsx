import type { Segment, SearchHit } from '@/lib/search/excerpt';

/** Matches in <mark>; everything else is text (React escapes it). */
export function Highlighted({ segments }: { segments: readonly Segment[] }) {
  return segments.map((segment, i) =>
    segment.mark ? (
      <mark key={i} className="rounded-sm bg-amber-200 text-zinc-950 dark:bg-amber-300">
        {segment.text}
      </mark>
    ) : (
      segment.text
    ),
  );
}

/**
 * The results list, the same on /search (server-rendered) and in the header box (in the browser):
 * each article's title, then an excerpt per matching section, linking to its heading.
 */
export function SearchResults({ hits, headingLevel: Heading = 'h2' }: { hits: readonly SearchHit[]; headingLevel?: 'h2' | 'h3' }) {
  if (hits.length === 0) return null;
  return (
    <ol className="search-results divide-y divide-zinc-200 dark:divide-zinc-800">
      {hits.map((hit) => (
        <li key={hit.slug} className="py-4">
          <Heading className="text-lg font-semibold tracking-tight text-zinc-950 dark:text-white">
            <a href={hit.href} data-search-result className="hover:underline">
              <Highlighted segments={hit.titleSegments} />
            </a>
          </Heading>
          {hit.excerpts.map((excerpt) => (
            <p key={excerpt.anchor ?? ''} className="mt-2 text-sm text-zinc-700 dark:text-zinc-300">
              {excerpt.anchor ? (
                <>
                  <a
                    href={`${hit.href}#${excerpt.anchor}`}
                    data-search-result
                    className="font-medium text-sky-700 hover:underline dark:text-sky-400"
                  >
                    <Highlighted segments={excerpt.headingSegments} />
                  </a>
                  {': '}
                </>
              ) : null}
              <Highlighted segments={excerpt.segments} />
            </p>
          ))}
        </li>
      ))}
    </ol>
  );
}
