import type { Metadata } from 'next';
import Link from 'next/link';
import { getAllTags } from '@/lib/content/load';
import { paths } from '@/lib/site';
import { alternatesFor, openGraphFor } from '@/lib/metadata';

export const metadata: Metadata = {
  title: 'Tags',
  description: 'Every topic covered, with the number of articles on each.',
  alternates: alternatesFor('/tags'),
  openGraph: openGraphFor('/tags', { title: 'Tags' }),
};

export default function TagsPage() {
  const tags = getAllTags();
  return (
    <div className="mx-auto max-w-3xl px-4 py-10 sm:px-6">
      <h1 className="text-3xl font-bold tracking-tight text-zinc-950 dark:text-white">Tags</h1>
      <ul className="mt-6 flex flex-wrap gap-3">
        {tags.map(({ tag, count }) => (
          <li key={tag}>
            <Link
              href={paths.tag(tag)}
              className="inline-block rounded-full bg-zinc-100 px-3 py-1 text-sm font-medium text-zinc-800 hover:bg-zinc-200 dark:bg-zinc-800 dark:text-zinc-200 dark:hover:bg-zinc-700"
            >
              #{tag} <span className="text-zinc-500 dark:text-zinc-400">({count})</span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
