/**
 * The site's routes, named once so paths are not string literals scattered through files. Apart
 * from lib/site.ts (which reads the environment, server only) so client components can use them.
 */
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
