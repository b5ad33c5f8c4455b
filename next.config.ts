import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // A self-contained server (.next/standalone/server.js with only the node_modules it uses) for
  // the container image; scripts/prepare-standalone.mjs adds static files, content and migrations.
  output: 'standalone',
};

export default nextConfig;
