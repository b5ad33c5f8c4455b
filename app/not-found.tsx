import Link from 'next/link';
import { getAllArticles } from '@/lib/content/load';
import { paths } from '@/lib/site';

export default function NotFound() {
  const articles = getAllArticles().slice(0, 8);
  return (
    // Styled as .not-found in app/styles/components.css: the root layout's RSC payload carries
    // this page on every page of the site (for a notFound() during client navigation).
    <div className="not-found">
      <h1>Page not found</h1>
      <p>There is nothing at this address. Perhaps one of these articles is what you were looking for:</p>
      <ul>
        {articles.map((article, index) => (
          <li key={index}>
            <Link href={paths.article(article.slug)}>{article.title}</Link>
          </li>
        ))}
      </ul>
      <p>
        <Link href="/articles">Browse the whole archive →</Link>
      </p>
    </div>
  );
}
