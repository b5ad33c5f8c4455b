import Link from 'next/link';
import type { ComponentProps } from 'react';

/** Internal links go through next/link (prefetch); external ones open normally with a safe rel. */
export function MdxLink({ href = '', ...rest }: ComponentProps<'a'>) {
  if (href.startsWith('/')) return <Link href={href} {...rest} />;
  if (href.startsWith('#')) return <a href={href} {...rest} />;
  return <a href={href} rel="noopener noreferrer" {...rest} />;
}
