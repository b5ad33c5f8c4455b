import type { Metadata } from 'next';
import { paths, site } from '@/lib/site';

// Next replaces (does not merge) a parent's `alternates` when a page sets its own, so every page
// that names a canonical URL must repeat the feed links; this is the one place they are spelled.
const feedTypes = {
  'application/rss+xml': [{ url: paths.rss, title: `${site.name} (RSS)` }],
  'application/atom+xml': [{ url: paths.atom, title: `${site.name} (Atom)` }],
  'application/feed+json': [{ url: paths.jsonFeed, title: `${site.name} (JSON Feed)` }],
};

/** `alternates` for a page: its canonical URL (when it has one) plus the feeds readers' apps discover. */
export function alternatesFor(canonical?: string): NonNullable<Metadata['alternates']> {
  return canonical ? { canonical, types: feedTypes } : { types: feedTypes };
}

/** Same story for `openGraph`: a page's object replaces the layout's, so the site-wide fields live here. */
export function openGraphFor(url: string, fields: { title?: string; description?: string } = {}) {
  return { type: 'website' as const, siteName: site.name, locale: site.locale, url, ...fields };
}

/** The Open Graph fields of an article page. */
export function articleOpenGraph(url: string, fields: { title: string; description: string; publishedTime: string; modifiedTime: string; authors: string[]; tags: string[] }) {
  return { type: 'article' as const, siteName: site.name, locale: site.locale, url, ...fields };
}
