import Link from 'next/link';
import { paths } from '@/lib/site';

export function TagList({ tags, label = 'Tags' }: { tags: string[]; label?: string }) {
  return (
    // Styled as .tags in app/styles/components.css: every card of a list repeats it.
    <ul aria-label={label} className="tags">
      {tags.map((tag) => (
        <li key={tag}>
          <Link href={paths.tag(tag)}>{`#${tag}`}</Link>
        </li>
      ))}
    </ul>
  );
}
