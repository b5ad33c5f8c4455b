import Link from 'next/link';
import type { ComponentProps } from 'react';
import { MEDIA_URL_PATH } from '@/lib/media/variants';

/**
 * Internal links go through next/link (prefetch); external ones open normally with a safe rel.
 * Links to image files (a figure's full-size view) are plain: next/link would prefetch the
 * full-size file of every image as the page loads.
 */
export function MdxLink({ href = '', ...rest }: ComponentProps<'a'>) {
  if (href.startsWith(`${MEDIA_URL_PATH}/`)) return <a href={href} {...rest} />;
  if (href.startsWith('/')) return <Link href={href} {...rest} />;
  // A footnote reference (a[data-footnote-ref]) is one superscript digit: app/styles/components.css
  // pads it into a target a finger can hit.
  if (href.startsWith('#')) return <a href={href} {...rest} />;
  return <a href={href} rel="noopener noreferrer" {...rest} />;
}
