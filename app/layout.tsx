import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { SiteFooter } from '@/components/layout/site-footer';
import { SiteHeader } from '@/components/layout/site-header';
import { SkipLink } from '@/components/layout/skip-link';
import { ThemeScript } from '@/components/layout/theme-script';
import { BRAND } from '@/lib/brand';
import { codeFont, textFont } from '@/lib/fonts';
import { alternatesFor, openGraphFor } from '@/lib/metadata';
import { site } from '@/lib/site';
import './globals.css';

export const metadata: Metadata = {
  metadataBase: new URL(site.url),
  title: { default: site.name, template: `%s · ${site.name}` },
  description: site.description,
  alternates: alternatesFor(),
  openGraph: openGraphFor('/'),
  twitter: { card: 'summary_large_image' },
};

export const viewport: Viewport = {
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: BRAND.background.light },
    { media: '(prefers-color-scheme: dark)', color: BRAND.background.dark },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // The theme script sets a class on <html> before React hydrates; that difference is expected.
    <html lang="en" suppressHydrationWarning className={`${textFont.variable} ${codeFont.variable}`}>
      <head>
        <ThemeScript />
      </head>
      {/* <body> is styled in app/styles/components.css, like the header and footer: every page carries them twice. */}
      <body>
        <SkipLink />
        <SiteHeader />
        <main id="main" tabIndex={-1} className="focus:outline-none">
          {children}
        </main>
        <SiteFooter />
      </body>
    </html>
  );
}
