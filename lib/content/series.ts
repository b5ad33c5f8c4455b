import { slug as githubSlug } from 'github-slugger';
import type { ContentProblem } from './errors';
import type { ParsedArticleFile } from './load';
import { isSlug, type SeriesField } from './schema';
import type { Article } from './types';

/** A series as readers see it: its visible parts, in order (part 1 first). */
export type Series = { slug: string; name: string; parts: Article[] };

/** Where one article sits in its series: "Part 2 of 4", and its neighbours. */
export type SeriesPlacement = {
  series: Series;
  part: number;
  total: number;
  previous: Article | undefined;
  next: Article | undefined;
};

/**
 * The series' URL slug: `slug` when the editor wrote one, else github-slugger's slug of the name
 * (the slugger GitHub and rehype-slug use), with runs of "-" collapsed so "Tips & tricks" reads
 * "tips-tricks". May be no valid slug at all (a name in another script): checkSeries says so.
 */
export function seriesSlug(field: Pick<SeriesField, 'name' | 'slug'>): string {
  return field.slug ?? githubSlug(field.name).replace(/-{2,}/g, '-').replace(/^-|-$/g, '');
}

/** The series among `articles` (pass the visible ones), each with its parts in order. */
export function collectSeries(articles: readonly Article[]): Map<string, Series> {
  const all = new Map<string, Series>();
  for (const article of articles) {
    if (article.series === undefined) continue;
    const slug = seriesSlug(article.series);
    const series = all.get(slug) ?? { slug, name: article.series.name, parts: [] };
    series.parts.push(article);
    all.set(slug, series);
  }
  for (const series of all.values()) {
    series.parts.sort((a, b) => (a.series?.part ?? 0) - (b.series?.part ?? 0));
    series.name = series.parts[0]?.series?.name ?? series.name;
  }
  return all;
}

/** The article's place in its series, or undefined when it is in none readers can see. */
export function placeInSeries(article: Article, all: ReadonlyMap<string, Series>): SeriesPlacement | undefined {
  if (article.series === undefined) return undefined;
  const series = all.get(seriesSlug(article.series));
  const index = series?.parts.findIndex((part) => part.slug === article.slug) ?? -1;
  if (series === undefined || index === -1) return undefined;
  return {
    series,
    part: index + 1,
    total: series.parts.length,
    previous: series.parts[index - 1],
    next: series.parts[index + 1],
  };
}

type Member = { file: ParsedArticleFile; article: Article; series: SeriesField; slug: string };

/**
 * The editor's mistakes a series can hide, each at the line of the `series` field that causes it:
 * a name whose slug is not a URL slug; two names for one slug, or two slugs for one name; two
 * articles claiming the same part; a gap in the numbering; and a part readers can see coming
 * after one they cannot (a draft or scheduled part 2 before a published part 3: readers would
 * find part 3 with no part 2). Hidden parts after the last visible one are fine: the series
 * simply ends there for readers until they are published.
 */
export function checkSeries(files: readonly ParsedArticleFile[], visible: (article: Article) => boolean): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const members: Member[] = [];
  for (const file of files) {
    const article = file.article;
    if (article?.series === undefined) continue;
    members.push({ file, article, series: article.series, slug: seriesSlug(article.series) });
  }
  const at = (m: Member, key: 'name' | 'part' | 'slug', message: string) => {
    const field = key === 'slug' && m.series.slug === undefined ? 'name' : key;
    problems.push({ file: m.file.file, line: m.file.fieldLine(['series', field]), field: `series.${field}`, message });
  };
  // The part that speaks for its series: the lowest part number, then the first file.
  const byPart = (a: Member, b: Member) => a.series.part - b.series.part || a.file.file.localeCompare(b.file.file);

  const valid = members.filter((m) => {
    if (isSlug(m.slug)) return true;
    at(m, 'name', `series "${m.series.name}" gives no usable URL slug ("${m.slug}"); add slug: with a lowercase slug such as "consensus-in-practice"`);
    return false;
  });

  // A part whose name or slug disagrees is reported for that alone, not again as a gap.
  const misnamed = new Set<Member>();
  for (const [slug, group] of groupBy(valid, (m) => m.slug)) {
    const first = [...group].sort(byPart)[0]!;
    for (const m of group) {
      if (m.series.name !== first.series.name) {
        misnamed.add(m);
        at(
          m,
          'name',
          `series "${m.series.name}" has the slug "${slug}" of the series "${first.series.name}" (${first.file.file}); ` +
            'write the name the same way in every part, or give a different series its own slug',
        );
      }
    }
  }
  for (const [name, group] of groupBy(valid, (m) => m.series.name)) {
    const first = [...group].sort(byPart)[0]!;
    for (const m of group) {
      if (m.slug !== first.slug) {
        misnamed.add(m);
        at(m, 'slug', `series "${name}" has the slug "${m.slug}" here but "${first.slug}" in ${first.file.file}; every part of a series needs the same slug`);
      }
    }
  }

  for (const group of groupBy(valid.filter((m) => !misnamed.has(m)), (m) => m.slug).values()) {
    const name = [...group].sort(byPart)[0]!.series.name;
    const parts = groupBy(group, (m) => m.series.part);
    for (const [part, claimed] of parts) {
      for (const m of claimed) {
        const others = claimed.filter((other) => other !== m).map((other) => other.file.file);
        if (others.length > 0) {
          at(m, 'part', `series "${name}": ${others.join(', ')} ${others.length === 1 ? 'is' : 'are'} part ${part} too; every part needs its own number`);
        }
      }
    }
    // A gap is reported once, at the part right after it: parts 1, 4 say "no part 2 or 3" at part 4.
    let previous = 0;
    for (const part of [...parts.keys()].sort((a, b) => a - b)) {
      if (part > previous + 1) {
        const missing = range(previous + 1, part - 1);
        const list = missing.length > 2 ? `${missing[0]} to ${missing.at(-1)}` : missing.join(' or ');
        for (const m of parts.get(part)!) {
          at(m, 'part', `series "${name}" has no part ${list} before this part ${part}; number the parts 1, 2, 3 … without gaps`);
        }
      }
      previous = part;
    }
    for (const m of group) {
      if (!visible(m.article)) continue;
      for (const earlier of [...group].filter((o) => o.series.part < m.series.part && !visible(o.article)).sort(byPart)) {
        const why =
          earlier.article.status === 'draft'
            ? `is a draft (${earlier.article.slug})`
            : `is scheduled for ${earlier.article.date} (${earlier.article.slug})`;
        at(
          m,
          'part',
          `series "${name}" part ${m.series.part} is published but part ${earlier.series.part} ${why}, so readers would find a gap in the series; publish the earlier part first, or hold this one back too`,
        );
      }
    }
  }
  return problems;
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
