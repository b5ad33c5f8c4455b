import type { MetadataRoute } from 'next';
import { BRAND } from '@/lib/brand';
import { site } from '@/lib/site';

/** /manifest.webmanifest, linked in <head> by Next. The icons are made by scripts/make-icons.ts. */
export default function manifest(): MetadataRoute.Manifest {
  return {
    name: site.name,
    short_name: site.name,
    description: site.description,
    start_url: '/',
    display: 'browser',
    theme_color: BRAND.background.light,
    background_color: BRAND.background.light,
    icons: [
      { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  };
}
