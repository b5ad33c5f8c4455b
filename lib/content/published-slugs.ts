import fs from 'node:fs';
import path from 'node:path';
import { parseFrontmatter } from './frontmatter';
import { isSlug } from './schema';
import { articleStatus, utcDay } from './status';

/**
 * The slugs a production build prerenders (published: not a draft, not dated after today), from
 * the frontmatter alone. For next.config.ts, which runs before the build and outside the app, so
 * cannot use the loader (lib/env.ts is server-only); the loader decides the same way (load.ts).
 * A file that does not parse is left out: the build then fails on it with the loader's message.
 */
export function publishedSlugs(dir = path.join(process.cwd(), 'content'), today = utcDay(new Date())): string[] {
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.endsWith('.mdx')) : [];
  return names.flatMap((name) => {
    const slug = name.slice(0, -'.mdx'.length);
    const { data } = parseFrontmatter(fs.readFileSync(path.join(dir, name), 'utf8'), name);
    return isSlug(slug) && data !== undefined && articleStatus(data, today) === 'published' ? [slug] : [];
  }).sort();
}
