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
    draft: z.boolean().default(false),
  })
  .strict();

export type Frontmatter = z.infer<typeof frontmatterSchema>;

/** The fields an editor may write, in the order the README documents them. */
export const frontmatterKeys: readonly string[] = Object.keys(frontmatterSchema.shape);
