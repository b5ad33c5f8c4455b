import { z } from 'zod';

/**
 * The publication's identity and the one place absolute URLs are built (feeds, sitemap,
 * canonical and Open Graph URLs). Routes are named here too, so paths are not string literals
 * scattered through files.
 */

// A base URL without a trailing slash, so `${siteUrl}${path}` never doubles it.
const siteUrlSchema = z.url({ protocol: /^https?$/ }).transform((value) => value.replace(/\/+$/, ''));

/** SITE_URL's value (or its absence) as a base URL; throws on anything but http(s). */
export function parseSiteUrl(raw: string | undefined): string {
  const value = raw === undefined || raw.trim() === '' ? 'http://localhost:3000' : raw.trim();
  const parsed = siteUrlSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(`SITE_URL: expected an http(s) URL such as https://example.com, got ${JSON.stringify(raw)}`);
  }
  return parsed.data;
}

/** e.g. https://example.com — from SITE_URL, default http://localhost:3000; never a trailing slash. */
export const siteUrl: string = parseSiteUrl(process.env.SITE_URL);

export const site = {
  name: 'Quorum',
  tagline: 'Long reads on systems that stay up',
  description:
    'Long-form technical articles on distributed systems, reliability and the trade-offs behind software that survives production.',
  url: siteUrl,
  /** BCP 47 tag for <html lang> and the feeds. */
  language: 'en',
  /** Open Graph locale. */
  locale: 'en_US',
  defaultAuthor: 'Editorial team',
} as const;

export const paths = {
  home: '/',
  article: (slug: string) => `/articles/${slug}`,
  tag: (tag: string) => `/tags/${tag}`,
  series: (slug: string) => `/series/${slug}`,
  search: '/search',
  /** The search index of one build (its version is in the URL, so it can be cached forever). */
  searchIndex: (version: string) => `/search-index/${version}`,
  /** One article's sections in that build, for the header box's excerpts. */
  searchText: (version: string, slug: string) => `/search-index/${version}/${slug}`,
  rss: '/rss.xml',
  atom: '/atom.xml',
  jsonFeed: '/feed.json',
} as const;

/**
 * `absoluteUrl('/articles/foo')` → `https://example.com/articles/foo`. String concatenation
 * rather than `new URL(path, base)`, which would drop a base path such as https://example.com/blog.
 */
export function absoluteUrl(path: string, base: string = siteUrl): string {
  const root = base.replace(/\/+$/, '');
  if (path === '' || path === '/') return `${root}/`;
  return `${root}${path.startsWith('/') ? path : `/${path}`}`;
}
