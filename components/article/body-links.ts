import { MEDIA_URL_PATH } from '@/lib/media/variants';
import { paths } from '@/lib/site-paths';

/**
 * The in-site page a link in the article body points to, when following it can be a client-side
 * navigation: a path on this site that is not a media file (a figure's full-size image), opened
 * in this tab, by a plain primary click. Otherwise undefined: the browser follows the link itself.
 */
export function softNavigationTarget(anchor: HTMLAnchorElement, event?: MouseEvent): string | undefined {
  const href = anchor.getAttribute('href') ?? '';
  if (!href.startsWith('/') || href.startsWith('//') || href.startsWith(`${MEDIA_URL_PATH}/`)) return undefined;
  if (anchor.target && anchor.target !== '_self') return undefined;
  if (anchor.hasAttribute('download')) return undefined;
  if (event && (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)) return undefined;
  return href;
}

export function anchorOf(event: Event): HTMLAnchorElement | undefined {
  const anchor = (event.target as Element | null)?.closest?.('a[href]');
  return anchor instanceof HTMLAnchorElement ? anchor : undefined;
}

const ARTICLE_PREFIX = paths.article('');

/** The article page a site path is on (`/articles/foo#bar` → `/articles/foo`), or undefined for any other page. */
export function articlePathOf(href: string): string | undefined {
  if (!href.startsWith(ARTICLE_PREFIX)) return undefined;
  const slug = /^[^/?#]+/.exec(href.slice(ARTICLE_PREFIX.length))?.[0];
  return slug === undefined ? undefined : paths.article(slug);
}
