'use client';

import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { loadIndexFile, MAX_QUERY_LENGTH, rankArticles, type SearchEngine, type SearchIndexFile } from '@/lib/search/engine';
import { type SearchHit, toHits } from '@/lib/search/excerpt';
import type { ArticleSection } from '@/lib/search/sections';
import { SearchResults } from './search-results';

/**
 * The header's search box, loaded only when a reader opens it (search-launcher.tsx): a modal
 * <dialog> (the browser keeps focus inside it, Escape closes it, the launcher gets focus back)
 * with a search field whose results update as the reader types. The index is fetched once per
 * page; each shown result's sections once, for its excerpts. Ranking and excerpts are the
 * server's own code (lib/search), so the box and /search agree.
 */
export type SearchDialogProps = {
  /** /search-index/<version>; an article's sections are at <indexUrl>/<slug> (paths.searchText). */
  indexUrl: string;
  /** /search, for "all results" and the form's plain submit. */
  searchUrl: string;
  /** paths.article('') ("/articles/"): result links are this plus the slug. */
  articleBase: string;
  onClose: () => void;
};

const SHOWN = 8;
const engines = new Map<string, Promise<SearchEngine>>();
const texts = new Map<string, Promise<ArticleSection[]>>();

async function json<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as T;
}

function engineFor(url: string): Promise<SearchEngine> {
  let engine = engines.get(url);
  if (!engine) {
    engine = json<SearchIndexFile>(url).then(loadIndexFile);
    engine.catch(() => engines.delete(url));
    engines.set(url, engine);
  }
  return engine;
}

function sectionsFor(url: string): Promise<ArticleSection[]> {
  let sections = texts.get(url);
  if (!sections) {
    // An excerpt is a nicety: without its sections a result still shows its title.
    sections = json<ArticleSection[]>(url).catch(() => []);
    texts.set(url, sections);
  }
  return sections;
}

type State =
  | { status: 'loading' }
  | { status: 'failed' }
  | { status: 'ready'; query: string; total: number; hits: SearchHit[] };

export function SearchDialog({ indexUrl, searchUrl, articleBase, onClose }: SearchDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const titleId = useId();
  const [query, setQuery] = useState('');
  const [engine, setEngine] = useState<SearchEngine | undefined>();
  const [state, setState] = useState<State>({ status: 'loading' });

  useEffect(() => {
    const element = dialog.current;
    // No close() on unmount: the launcher unmounts the box after its close event, and React's
    // strict mode would otherwise close it again right after opening it.
    if (element && !element.open) element.showModal();
    input.current?.focus();
  }, []);

  useEffect(() => {
    let current = true;
    engineFor(indexUrl).then(
      (loaded) => current && setEngine(loaded),
      () => current && setState({ status: 'failed' }),
    );
    return () => {
      current = false;
    };
  }, [indexUrl]);

  useEffect(() => {
    if (!engine) return;
    let current = true;
    const ranked = rankArticles(engine, query);
    const shown = ranked.slice(0, SHOWN);
    Promise.all(shown.map((article) => sectionsFor(`${indexUrl}/${article.slug}`))).then((sections) => {
      if (!current) return;
      const bySlug = new Map(shown.map((article, i) => [article.slug, sections[i]]));
      const hits = toHits(shown, { sectionsOf: (slug) => bySlug.get(slug), hrefOf: (slug) => `${articleBase}${slug}`, limit: SHOWN });
      setState({ status: 'ready', query: query.trim(), total: ranked.length, hits });
    });
    return () => {
      current = false;
    };
  }, [engine, query, indexUrl, articleBase]);

  const status = useMemo(() => {
    if (state.status === 'loading') return query ? 'Loading the search index…' : '';
    if (state.status === 'failed') return 'Search is unavailable right now; press Enter to search on the search page.';
    if (!state.query) return '';
    if (state.total === 0) return `No articles match “${state.query}”.`;
    return `${state.total} ${state.total === 1 ? 'article matches' : 'articles match'}${state.total > state.hits.length ? `, the first ${state.hits.length} shown` : ''}.`;
  }, [state, query]);

  // Arrow keys move between the field and the result links; Tab works as everywhere.
  function onKeyDown(event: KeyboardEvent<HTMLDialogElement>) {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const stops = [input.current, ...dialog.current!.querySelectorAll<HTMLAnchorElement>('a[data-search-result]')].filter(
      (el): el is HTMLInputElement | HTMLAnchorElement => el !== null,
    );
    const at = stops.indexOf(document.activeElement as HTMLInputElement | HTMLAnchorElement);
    if (at === -1 || stops.length < 2) return;
    event.preventDefault();
    stops[(at + (event.key === 'ArrowDown' ? 1 : stops.length - 1)) % stops.length]?.focus();
  }

  const allResults = `${searchUrl}?q=${encodeURIComponent(query.trim())}`;
  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      onClose={onClose}
      onKeyDown={onKeyDown}
      // A click on the backdrop (outside the box) closes it, as Escape does.
      onClick={(event) => event.target === dialog.current && dialog.current.close()}
      className="search-dialog mx-auto mt-[8vh] w-[min(42rem,calc(100%-2rem))] rounded-xl border border-zinc-200 bg-white p-0 text-zinc-900 shadow-2xl backdrop:bg-zinc-950/60 dark:border-zinc-800 dark:bg-zinc-950 dark:text-zinc-100"
    >
      <div className="flex items-center justify-between gap-4 border-b border-zinc-200 px-4 py-3 dark:border-zinc-800">
        <h2 id={titleId} className="text-sm font-semibold">
          Search articles
        </h2>
        <button
          type="button"
          onClick={() => dialog.current?.close()}
          className="rounded px-2 py-1 text-sm text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:hover:text-white"
        >
          Close <span className="sr-only">search</span>
          <kbd className="ml-1 text-xs text-zinc-500 dark:text-zinc-400" aria-hidden="true">
            Esc
          </kbd>
        </button>
      </div>
      <form role="search" action={searchUrl} method="get" className="px-4 pt-4">
        <label htmlFor={`${titleId}-q`} className="sr-only">
          Search articles
        </label>
        <input
          ref={input}
          id={`${titleId}-q`}
          name="q"
          type="search"
          autoComplete="off"
          maxLength={MAX_QUERY_LENGTH}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          placeholder="Titles, headings, text, code, tags…"
          className="w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-zinc-900 placeholder:text-zinc-500 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-50 dark:placeholder:text-zinc-400"
        />
      </form>
      <p role="status" className="px-4 pt-3 text-sm text-zinc-600 dark:text-zinc-400" data-search-status>
        {status}
      </p>
      <div className="max-h-[60vh] overflow-y-auto px-4 pb-2">
        {state.status === 'ready' ? <SearchResults hits={state.hits} headingLevel="h3" /> : null}
      </div>
      {state.status === 'ready' && state.total > state.hits.length ? (
        <p className="border-t border-zinc-200 px-4 py-3 text-sm dark:border-zinc-800">
          <a href={allResults} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
            All {state.total} results
          </a>
        </p>
      ) : null}
    </dialog>
  );
}
