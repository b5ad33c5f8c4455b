/**
 * npm run new:article -- "Some Title"
 * Writes content/some-title.mdx as a draft with valid frontmatter and prints its path.
 */
import path from 'node:path';
import { createArticleFile } from '../lib/content/new-article';

const title = process.argv.slice(2).join(' ');
try {
  const file = createArticleFile(title);
  console.log(path.relative(process.cwd(), file));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
