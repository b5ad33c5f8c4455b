export function RssPrompt() {
  return (
    <p className="mt-4 text-sm text-zinc-600 dark:text-zinc-400">
      Prefer RSS?{' '}
      <a href="/rss.xml" className="font-medium text-sky-700 hover:underline dark:text-sky-400">
        Subscribe via RSS →
      </a>
    </p>
  );
}
