import Link from 'next/link';
import { paths } from '@/lib/site';

export function TagList({ tags, label = 'Tags' }: { tags: string[]; label?: string }) {
  return (
    <ul aria-label={label} className="flex flex-wrap gap-2">
      {tags.map((tag) => (
        <li key={tag}>
          <Link
            href={paths.tag(tag)}
            className="inline-block rounded-full bg-zinc-100 px-2.5 py-0.5 text-xs font-medium text-zinc-700 hover:bg-zinc-200 dark:bg-zinc-800 dark:text-zinc-300 dark:hover:bg-zinc-700"
          >
            #{tag}
          </Link>
        </li>
      ))}
    </ul>
  );
}
