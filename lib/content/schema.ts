import { z } from 'zod';

/**
 * The editor's contract: every article's frontmatter is parsed with this schema, once,
 * by the loader (lib/content/load.ts). The README's frontmatter reference documents it.
 */
const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'a lowercase slug such as "distributed-systems"');

// YAML turns an unquoted 2026-03-10 into a Date; editors may write either form.
const isoDate = z.preprocess(
  (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : value),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'an ISO date such as 2026-03-10')
    .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), 'a real calendar date'),
);

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
