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
  // A footnote reference is one superscript digit: padding gives it a target a finger can hit.
  if (href.startsWith('#') && 'data-footnote-ref' in rest) return <a href={href} {...rest} className="px-0.5 no-underline hover:underline" />;
  if (href.startsWith('#')) return <a href={href} {...rest} />;
  return <a href={href} rel="noopener noreferrer" {...rest} />;
}
