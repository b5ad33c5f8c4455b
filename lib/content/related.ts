import type { Article } from './types';

type Rankable = Pick<Article, 'slug' | 'title' | 'date' | 'tags' | 'related'>;

/**
 * Related articles for `article`, chosen from `candidates` (the articles readers can see):
 * first the ones the editor named in `related`, in their order; then, up to `limit`, others
 * sharing tags — most shared tags first, then newest, then by title. Never the article itself,
 * never twice. Pure: the loader passes in the visible set.
 */
export function rankRelated<T extends Rankable>(article: Rankable, candidates: readonly T[], limit = 3): T[] {
  if (limit <= 0) return [];
  const bySlug = new Map(candidates.map((candidate) => [candidate.slug, candidate]));
  const chosen: T[] = [];
  const taken = new Set<string>([article.slug]);

  for (const slug of article.related) {
    const named = bySlug.get(slug);
    if (named === undefined || taken.has(slug)) continue;
    chosen.push(named);
    taken.add(slug);
    if (chosen.length === limit) return chosen;
  }

  const tags = new Set(article.tags);
  const sharing = candidates
    .filter((candidate) => !taken.has(candidate.slug))
    .map((candidate) => ({ candidate, shared: candidate.tags.filter((tag) => tags.has(tag)).length }))
    .filter(({ shared }) => shared > 0)
    .sort(
      (a, b) =>
        b.shared - a.shared ||
        compareNewestFirst(a.candidate, b.candidate),
    );

  for (const { candidate } of sharing) {
    if (chosen.length === limit) break;
    if (taken.has(candidate.slug)) continue; // candidates may repeat a slug; keep the first
    chosen.push(candidate);
    taken.add(candidate.slug);
  }
  return chosen;
}

/** Newest first; same day by title, then slug, so the order never depends on file-system order. */
export function compareNewestFirst(
  a: Pick<Article, 'date' | 'title' | 'slug'>,
  b: Pick<Article, 'date' | 'title' | 'slug'>,
): number {
  if (a.date !== b.date) return a.date < b.date ? 1 : -1;
  return a.title.localeCompare(b.title, 'en') || a.slug.localeCompare(b.slug, 'en');
}
