import Link from 'next/link';
import { getAllArticles } from '@/lib/content/load';
import { paths } from '@/lib/site';

export default function NotFound() {
  const articles = getAllArticles().slice(0, 8);
  return (
    <div className="mx-auto max-w-3xl px-4 py-16 sm:px-6">
      <h1 className="text-3xl font-bold tracking-tight text-zinc-950 dark:text-white">Page not found</h1>
      <p className="mt-3 text-zinc-600 dark:text-zinc-400">
        There is nothing at this address. Perhaps one of these articles is what you were looking for:
      </p>
      <ul className="mt-6 space-y-2">
        {articles.map((article) => (
          <li key={article.slug}>
            <Link href={paths.article(article.slug)} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
              {article.title}
            </Link>
          </li>
        ))}
      </ul>
      <p className="mt-6">
        <Link href="/articles" className="text-sky-700 hover:underline dark:text-sky-400">
          Browse the whole archive →
        </Link>
      </p>
    </div>
  );
}
