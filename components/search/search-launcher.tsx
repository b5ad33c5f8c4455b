'use client';

import { type ComponentType, useCallback, useEffect, useRef, useState } from 'react';
import type { SearchDialogProps } from './search-dialog';

/**
 * The header's "Search" link: a plain link to /search (which works without JavaScript) that, once
 * the page has hydrated, opens the search box instead; so do "/" and Ctrl/⌘-K. This file is all
 * the search code a page loads on arrival: the box, MiniSearch and the index are fetched by
 * import() and fetch() when it first opens.
 */
let loading: Promise<ComponentType<SearchDialogProps>> | undefined;

function loadDialog(): Promise<ComponentType<SearchDialogProps>> {
  loading ??= import('./search-dialog').then((m) => m.SearchDialog);
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

function typingInto(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

type Props = Omit<SearchDialogProps, 'onClose'> & { className?: string };

export function SearchLauncher({ indexUrl, searchUrl, articleBase, className }: Props) {
  const [Dialog, setDialog] = useState<ComponentType<SearchDialogProps> | null>(null);
  const [open, setOpen] = useState(false);
  const link = useRef<HTMLAnchorElement>(null);

  const show = useCallback(() => {
    setOpen(true);
    // Offline or a stale deployment: the search page still works.
    loadDialog().then(
      (component) => setDialog(() => component),
      () => window.location.assign(searchUrl),
    );
  }, [searchUrl]);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const shortcut =
        ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k') ||
        (event.key === '/' && !event.ctrlKey && !event.metaKey && !event.altKey && !typingInto(event.target));
      if (!shortcut || event.defaultPrevented) return;
      event.preventDefault();
      show();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [show]);

  const close = useCallback(() => {
    setOpen(false);
    link.current?.focus();
  }, []);

  return (
    <>
      <a
        ref={link}
        href={searchUrl}
        data-search-index={indexUrl}
        aria-keyshortcuts="/ Control+K Meta+K"
        className={className}
        onClick={(event) => {
          // A new tab or window keeps the link's own meaning.
          if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
          event.preventDefault();
          show();
        }}
      >
        Search
      </a>
      {open && Dialog ? <Dialog indexUrl={indexUrl} searchUrl={searchUrl} articleBase={articleBase} onClose={close} /> : null}
    </>
  );
}
