import type { NextConfig } from 'next';
import { documentHeaders, documentRewrites } from './lib/content/document-encoding';
import { publishedSlugs } from './lib/content/published-slugs';
import { parseEnv } from './lib/env-schema';
import { MEDIA_URL_PATH } from './lib/media/variants';
import { syncKatexAssets } from './lib/mdx/katex-assets';
import { buildSearchIndex } from './lib/search/after-compile';
import { mediaHeaders, securityHeaders, TOKEN_PATHS } from './lib/security-headers';

// Evaluated by Next's CLI at build time, outside the app: the schema without lib/env.ts's server-only marker.
const { env } = parseEnv(process.env);

// KaTeX's stylesheet and fonts into public/katex/<version>/ before anything is built or served:
// articles with math link them (see lib/mdx/katex-assets.ts for why a copy, and why here).
syncKatexAssets(process.cwd());

// The articles this build prerenders, served as files with the home page and the feeds (lib/content/document-encoding.ts);
// none under `next dev`, which renders every request and writes no files.
const servedAsFiles = env.NODE_ENV === 'development' ? undefined : publishedSlugs();

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // A self-contained server (.next/standalone/server.js with only the node_modules it uses) for
  // the container image; scripts/prepare-standalone.mjs adds static files, content and migrations.
  output: 'standalone',
  // The search index of the articles this build publishes, written to .next/search-index/ before
  // the pages are prerendered (lib/search/files.ts).
  compiler: { runAfterProductionCompile: (dirs) => buildSearchIndex({ ...dirs, env: process.env }) },
  // Turbopack's PostCSS runs in threads of the build process, not two node processes that stay up
  // through prerendering (~150 MB of the build's peak memory; Next falls back on affected Node versions).
  experimental: { turbopackPluginRuntimeStrategy: 'workerThreads' },
  // Security headers on every response: pages, feeds, API routes and static files. Evaluated at
  // build time (see lib/security-headers.ts for the policy and why it allows inline scripts).
  async headers() {
    return [
      {
        source: '/:path*',
        headers: securityHeaders({ nodeEnv: env.NODE_ENV, siteUrl: env.SITE_URL }),
      },
      // Newsletter pages and routes carry tokens in their URLs: never hand them to another site
      // in a Referer (a link on the page, an image a mail client loads). Later rules win in Next.
      ...TOKEN_PATHS.map((source) => ({ source, headers: [{ key: 'Referrer-Policy', value: 'no-referrer' }] })),
      { source: `${MEDIA_URL_PATH}/:file*`, headers: mediaHeaders },
      // The home page, articles and feeds served from files written after the build, identity and
      // gzip, with the headers their prerendered answers carry (lib/content/document-encoding.ts).
      ...(servedAsFiles ? documentHeaders(servedAsFiles) : []),
    ];
  },
  // beforeFiles: /, the articles and the feeds are routes of their own, and later rewrites only
  // apply where no route matched.
  async rewrites() {
    return { beforeFiles: servedAsFiles ? documentRewrites(servedAsFiles) : [], afterFiles: [], fallback: [] };
  },
};

export default nextConfig;
