import Link from 'next/link';
import type { SeriesPlacement } from '@/lib/content/series';
import type { Article } from '@/lib/content/types';
import { paths } from '@/lib/site';

/**
 * At the top of every part: "Part 2 of 4" of which series, every part (this one marked, the
 * others linked) and the previous and next parts. Parts readers cannot see yet are not counted.
 */
export function SeriesBox({ article, placement }: { article: Article; placement: SeriesPlacement }) {
  const { series, part, total, previous, next } = placement;
  return (
    <nav
      aria-labelledby="series-box-heading"
      className="series-box mb-8 rounded-xl border border-zinc-200 px-5 py-4 dark:border-zinc-800"
      data-series={series.slug}
    >
      <h2 id="series-box-heading" className="text-sm text-zinc-600 dark:text-zinc-400">
        <span className="font-semibold text-zinc-900 dark:text-zinc-50">
          Part {part} of {total}
        </span>{' '}
        in the series{' '}
        <Link href={paths.series(series.slug)} className="font-semibold text-sky-700 hover:underline dark:text-sky-400">
          {series.name}
        </Link>
      </h2>
      <ol className="mt-3 list-decimal space-y-1 pl-6 text-sm marker:text-zinc-500 dark:marker:text-zinc-400">
        {series.parts.map((p) =>
          p.slug === article.slug ? (
            <li key={p.slug}>
              <span aria-current="page" className="font-semibold text-zinc-900 dark:text-zinc-50">
                {p.title}
              </span>{' '}
              <span className="text-zinc-500 dark:text-zinc-400">(you are here)</span>
            </li>
          ) : (
            <li key={p.slug}>
              <Link href={paths.article(p.slug)} className="text-zinc-700 hover:underline dark:text-zinc-300">
                {p.title}
              </Link>
            </li>
          ),
        )}
      </ol>
      {previous || next ? (
        <p className="mt-3 flex flex-wrap justify-between gap-3 text-sm">
          {previous ? <PartLink to={previous} rel="prev" part={part - 1} /> : <span />}
          {next ? <PartLink to={next} rel="next" part={part + 1} /> : null}
        </p>
      ) : null}
    </nav>
  );
}

function PartLink({ to, rel, part }: { to: Article; rel: 'prev' | 'next'; part: number }) {
  const label = `${rel === 'prev' ? 'Previous' : 'Next'}: Part ${part}`;
  return (
    // The name says which article (the visible text starts it, as WCAG's label-in-name asks).
    <Link
      href={paths.article(to.slug)}
      rel={rel}
      aria-label={`${label}, ${to.title}`}
      className="font-semibold text-sky-700 hover:underline dark:text-sky-400"
    >
      {rel === 'prev' ? `← ${label}` : `${label} →`}
    </Link>
  );
}
