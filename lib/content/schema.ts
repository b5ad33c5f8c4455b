import { z } from 'zod';

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SLUG_EXPECTATION = 'a lowercase slug such as "distributed-systems"';

const slug = z.string().regex(SLUG_PATTERN, SLUG_EXPECTATION);

export function isSlug(value: string): boolean {
  return SLUG_PATTERN.test(value);
}

// The frontmatter parser (YAML core schema) gives days as strings, quoted or not.
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'an ISO date such as 2026-03-10')
  // Date.parse rolls 2026-02-30 over to March 2 instead of failing, so round-trip instead.
  .refine((value) => {
    const parsed = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
  }, 'a real calendar date');

/**
 * `series: { name: "Consensus in practice", part: 2 }`: the article is part 2 of that series. The
 * series lives at /series/<slug>, the slug derived from the name (github-slugger) unless `slug` says
 * otherwise. Rules across articles (one article per part, no gaps, no hidden earlier parts, one name
 * per slug) are checked with the other references, in lib/content/series.ts.
 */
const series = z
  .object({
    name: z.string().trim().min(1, 'the series name, such as "Consensus in practice"'),
    part: z.number().int('a whole part number such as 2').min(1, 'a part number of 1 or more'),
    slug: slug.optional(),
  })
  .strict();

/**
 * The editor's contract: every article's frontmatter is parsed with this schema, once,
 * by the loader (lib/content/load.ts). The README's frontmatter reference documents it.
 */
export const frontmatterSchema = z
  .object({
    title: z.string().trim().min(1, 'a non-empty title'),
    description: z.string().trim().min(1, 'a one-line description').max(200, 'at most 200 characters'),
    date: isoDate,
    updated: isoDate.optional(),
    author: z.string().trim().min(1, "the author's name"),
    tags: z.array(slug).min(1, 'at least one tag'),
    takeaways: z.array(z.string().trim().min(1).max(160, 'at most 160 characters')).min(1, 'at least one takeaway'),
    related: z.array(slug).default([]),
    next: slug.optional(),
    series: series.optional(),
    draft: z.boolean().default(false),
  })
  .strict();

export type Frontmatter = z.infer<typeof frontmatterSchema>;
export type SeriesField = z.infer<typeof series>;

/** The keys a `series` field may have. */
export const seriesKeys: readonly string[] = Object.keys(series.shape);

/** The fields an editor may write, in the order the README documents them. */
export const frontmatterKeys: readonly string[] = Object.keys(frontmatterSchema.shape);
