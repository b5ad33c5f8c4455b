/**
 * Prints where the bytes of built pages go (npm run build first):
 *   npm run page-weight [-- /articles/<slug> /…]   (default: the reference article and the home page)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pageWeight } from '../testing/page-weight';

const pages = process.argv.slice(2).filter((arg) => arg !== '--');
for (const page of pages.length > 0 ? pages : ['/articles/understanding-distributed-systems', '/']) {
  const file = path.join(process.cwd(), '.next', 'server', 'app', page === '/' ? 'index.html' : `${page.replace(/^\//, '')}.html`);
  const weight = pageWeight(readFileSync(file, 'utf8'));
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`${page}: html ${kb(weight.html)} (${weight.html} B), gzip ${kb(weight.gzip)} (${weight.gzip} B), RSC payload ${kb(weight.rscPayload)}, markup ${kb(weight.markup)}, other scripts ${kb(weight.otherScripts)}`);
}
