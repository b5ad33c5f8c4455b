'use client';

import { useRouter } from 'next/navigation';
import { use, useEffect, useRef, useState } from 'react';
import { copyCodeOnClick } from '@/components/ui/copy-code';
import { anchorOf, articlePathOf, softNavigationTarget } from './body-links';
import { registeredArticleBody } from './body-registry';

const fetched = new Map<string, Promise<string>>();

/**
 * The body of another article, for a client-side navigation (no server HTML for it here): its page,
 * which is static and cached like any page, parsed without running anything, and its body taken out.
 * If that fails the browser loads the page itself.
 */
function fetchBody(src: string): Promise<string> {
  let body = fetched.get(src);
  if (body === undefined) {
    body = fetch(src, { headers: { accept: 'text/html' } })
      .then(async (response) => {
        if (!response.ok) throw new Error(`${src}: ${response.status}`);
        const page = new DOMParser().parseFromString(await response.text(), 'text/html');
        const html = page.querySelector('[data-article-body]')?.innerHTML;
        if (html === undefined) throw new Error(`${src}: no article body in the page`);
        return html;
      })
      .catch(() => {
        fetched.delete(src);
        window.location.assign(src);
        return '';
      });
    fetched.set(src, body);
  }
  return body;
}

/** The page came from the server with this body in it: hydration, not a client-side navigation. */
function inServerHtml(src: string): boolean {
  return document.querySelector(`[data-article-body="${CSS.escape(src)}"]`)?.hasChildNodes() ?? false;
}

/**
 * The article body, sent once: as HTML. On the server it renders the tree StaticArticleBody
 * registered for `src` (never a prop, which would put it in the RSC payload too). In the browser it
 * keeps the server's DOM: React does not hydrate inside dangerouslySetInnerHTML, and an unchanged
 * `__html` is never written again. After a client-side navigation it fetches the body (use(): the
 * navigation waits for it, as for the RSC payload). Links and Copy buttons inside are plain markup,
 * handled here by delegation.
 */
export function ArticleBody({ src, className }: { src: string; className: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const router = useRouter();
  const [adopted] = useState(() => (typeof window !== 'undefined' && inServerHtml(src) ? src : undefined));

  useEffect(() => {
    const body = ref.current;
    if (!body) return;
    const onClick = (event: MouseEvent) => {
      void copyCodeOnClick(event);
      const anchor = anchorOf(event);
      const href = anchor && !event.defaultPrevented ? softNavigationTarget(anchor, event) : undefined;
      if (href === undefined) return;
      event.preventDefault();
      // The next article's body is fetched alongside its RSC payload, not after it.
      const article = articlePathOf(href);
      if (article !== undefined && article !== src) void fetchBody(article);
      router.push(href);
    };
    const prefetch = (event: Event) => {
      const anchor = anchorOf(event);
      const href = anchor ? softNavigationTarget(anchor) : undefined;
      if (href !== undefined) router.prefetch(href);
    };
    body.addEventListener('click', onClick);
    body.addEventListener('pointerover', prefetch);
    body.addEventListener('focusin', prefetch);
    return () => {
      body.removeEventListener('click', onClick);
      body.removeEventListener('pointerover', prefetch);
      body.removeEventListener('focusin', prefetch);
    };
  }, [router, src]);

  if (typeof window === 'undefined') {
    return (
      <div className={className} data-article-body={src}>
        {registeredArticleBody(src)}
      </div>
    );
  }
  const html = adopted === src ? '' : use(fetchBody(src));
  return <div ref={ref} className={className} data-article-body={src} suppressHydrationWarning dangerouslySetInnerHTML={{ __html: html }} />;
}
