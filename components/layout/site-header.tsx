import Link from 'next/link';
import { SearchLauncher } from '@/components/search/search-launcher';
import { getSearchVersion } from '@/lib/search/store';
import { paths, site } from '@/lib/site';
import { ThemeToggle } from './theme-toggle';

export function SiteHeader() {
  return (
    <header className="border-b border-zinc-200 dark:border-zinc-800">
      <div className="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 py-3 sm:px-6">
        <Link href="/" className="font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">
          {site.name}
        </Link>
        <nav aria-label="Main" className="flex items-center gap-1 text-sm sm:gap-3">
          <SearchLauncher
            indexUrl={paths.searchIndex(getSearchVersion())}
            searchUrl={paths.search}
            articleBase={paths.article('')}
            className="rounded px-2 py-1 text-zinc-700 hover:text-zinc-950 dark:text-zinc-300 dark:hover:text-white"
          />
          <Link href="/articles" className="rounded px-2 py-1 text-zinc-700 hover:text-zinc-950 dark:text-zinc-300 dark:hover:text-white">
            Archive
          </Link>
          <Link href="/tags" className="rounded px-2 py-1 text-zinc-700 hover:text-zinc-950 dark:text-zinc-300 dark:hover:text-white">
            Tags
          </Link>
          <a href="/rss.xml" className="rounded px-2 py-1 text-zinc-700 hover:text-zinc-950 dark:text-zinc-300 dark:hover:text-white">
            RSS
          </a>
          <ThemeToggle />
        </nav>
      </div>
    </header>
  );
}
