import type { Metadata } from 'next';
import type { ReactNode } from 'react';

// Personal, token-bearing pages: never indexed, never cached by a shared cache.
export const metadata: Metadata = { robots: { index: false, follow: false } };

export default function NewsletterLayout({ children }: { children: ReactNode }) {
  return children;
}
