import { site } from '@/lib/site';

export function SiteFooter() {
  return (
    <footer className="mt-16 border-t border-zinc-200 dark:border-zinc-800">
      <div className="mx-auto flex max-w-6xl flex-col gap-2 px-4 py-8 text-sm text-zinc-600 sm:flex-row sm:justify-between sm:px-6 dark:text-zinc-400">
        <p>
          © {new Date().getFullYear()} {site.name}
        </p>
        <p className="flex gap-4">
          <a href="/rss.xml" className="hover:underline">RSS</a>
          <a href="/atom.xml" className="hover:underline">Atom</a>
          <a href="/feed.json" className="hover:underline">JSON Feed</a>
        </p>
      </div>
    </footer>
  );
}
