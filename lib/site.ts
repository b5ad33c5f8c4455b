import { env, envIssues, unsetReason, type EnvIssue } from './env';

/**
 * The publication's identity and the one place absolute URLs are built (feeds, sitemap,
 * canonical and Open Graph URLs). Its routes (`paths`) live in lib/site-paths.ts and are
 * re-exported here.
 */

/**
 * SITE_URL as lib/env.ts validated it (default http://localhost:3000, never a trailing slash).
 * Unlike other variables an invalid one throws: it is baked into every feed and canonical link at
 * build time, and a build that quietly linked to localhost would publish broken feeds.
 */
export function siteUrlFrom(e: { SITE_URL: string }, issues: readonly EnvIssue[]): string {
  if (issues.some((issue) => issue.name === 'SITE_URL')) {
    throw new Error(`${unsetReason('SITE_URL', issues)}, such as https://example.com`);
  }
  return e.SITE_URL;
}

/** e.g. https://example.com */
export const siteUrl: string = siteUrlFrom(env, envIssues);

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

/** The site's routes: lib/site-paths.ts (no environment there, so client components can use them too). */
export { paths } from './site-paths';

/**
 * `absoluteUrl('/articles/foo')` → `https://example.com/articles/foo`. String concatenation
 * rather than `new URL(path, base)`, which would drop a base path such as https://example.com/blog.
 */
export function absoluteUrl(path: string, base: string = siteUrl): string {
  const root = base.replace(/\/+$/, '');
  if (path === '' || path === '/') return `${root}/`;
  return `${root}${path.startsWith('/') ? path : `/${path}`}`;
}
