import type { NextConfig } from 'next';
import { securityHeaders } from './lib/security-headers';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // A self-contained server (.next/standalone/server.js with only the node_modules it uses) for
  // the container image; scripts/prepare-standalone.mjs adds static files, content and migrations.
  output: 'standalone',
  // Security headers on every response: pages, feeds, API routes and static files. Evaluated at
  // build time (see lib/security-headers.ts for the policy and why it allows inline scripts).
  async headers() {
    return [
      {
        source: '/:path*',
        headers: securityHeaders({ nodeEnv: process.env.NODE_ENV, siteUrl: process.env.SITE_URL }),
      },
    ];
  },
};

export default nextConfig;
