import type { Metadata } from 'next';
import { SearchResults } from '@/components/search/search-results';
import { alternatesFor, openGraphFor } from '@/lib/metadata';
import { paths } from '@/lib/site';
import { MAX_QUERY_LENGTH } from '@/lib/search/engine';
import { searchSite } from '@/lib/search/store';

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** ?q=a&q=b reads the first; anything but a string reads as no query. */
async function queryOf(searchParams: Props['searchParams']): Promise<string> {
  const q = (await searchParams).q;
  return (Array.isArray(q) ? q[0] : q)?.trim() ?? '';
}

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const query = await queryOf(searchParams);
  return {
    title: query ? `Search: ${query.slice(0, MAX_QUERY_LENGTH)}` : 'Search',
    description: 'Full-text search over every published article.',
    alternates: alternatesFor(paths.search),
    openGraph: openGraphFor(paths.search, { title: 'Search' }),
    // Result pages are endless and thin: search engines should index the articles, not these.
    robots: query ? { index: false, follow: true } : undefined,
  };
}

/**
 * /search?q=…: a plain form GET, answered on the server from the index next build wrote, so it
 * works without JavaScript. The header's search box shows the same results as you type.
 */
export default async function SearchPage({ searchParams }: Props) {
  const query = await queryOf(searchParams);
  const result = query ? searchSite(query) : undefined;
  return (
    <div className="mx-auto max-w-3xl px-4 py-10 sm:px-6">
      <h1 className="text-3xl font-bold tracking-tight text-zinc-950 dark:text-white">Search</h1>
      <form role="search" action={paths.search} method="get" className="mt-6 flex gap-2">
        <label htmlFor="search-page-query" className="sr-only">
          Search articles
        </label>
        <input
          id="search-page-query"
          name="q"
          type="search"
          defaultValue={query}
          maxLength={MAX_QUERY_LENGTH}
          placeholder="Titles, headings, text, code, tags…"
          className="min-w-0 flex-1 rounded-md border border-zinc-300 bg-white px-3 py-2 text-zinc-900 placeholder:text-zinc-500 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-50 dark:placeholder:text-zinc-400"
        />
        <button
          type="submit"
          className="rounded-md bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800"
        >
          Search
        </button>
      </form>
      {result ? (
        <>
          <p role="status" className="mt-6 text-zinc-600 dark:text-zinc-400" data-search-summary>
            {result.total === 0
              ? `No articles match “${result.query}”.`
              : `${result.total} ${result.total === 1 ? 'article matches' : 'articles match'} “${result.query}”${
                  result.total > result.hits.length ? `; the first ${result.hits.length} are shown` : ''
                }.`}
          </p>
          <SearchResults hits={result.hits} />
        </>
      ) : (
        <p className="mt-6 text-zinc-600 dark:text-zinc-400">
          Search every published article: titles, headings, text, code identifiers and tags. Words match as you start them, and a
          typo is forgiven.
        </p>
      )}
    </div>
  );
}
