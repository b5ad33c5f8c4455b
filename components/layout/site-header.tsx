import Link from 'next/link';
import { SearchLauncher } from '@/components/search/search-launcher';
import { getSearchVersion } from '@/lib/search/store';
import { paths, site } from '@/lib/site';
import { ThemeToggle } from './theme-toggle';

export function SiteHeader() {
  return (
    // Styled as .site-header in app/styles/components.css: it is on every page, in the HTML and the RSC payload.
    <header className="site-header">
      <div>
        <Link href="/">{site.name}</Link>
        <nav aria-label="Main">
          <SearchLauncher
            indexUrl={paths.searchIndex(getSearchVersion())}
            searchUrl={paths.search}
            articleBase={paths.article('')}
          />
          <Link href="/articles">Archive</Link>
          <Link href="/tags">Tags</Link>
          <a href="/rss.xml">RSS</a>
          <ThemeToggle />
        </nav>
      </div>
    </header>
  );
}
