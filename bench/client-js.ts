/**
 * 2. Client JavaScript: what a reader's browser downloads to run an article page, against an
 * empty page built by the same Next.js the same way. The empty page's scripts are Next.js and
 * React themselves; the difference is what this project adds.
 *
 * Measured from the build output, not over HTTP: the prerendered HTML is exactly what the server
 * sends, and its <script src> files are files under .next/static. Each is gzipped here at level 9
 * (deterministic, unlike a server's on-the-fly level), so this figure needs no rounds: it is the
 * same on every run of the same commit.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BenchContext } from './context';
import { REFERENCE_SLUG } from './context';
import { bytes, table } from './lib/stats';

type Script = { src: string; raw: number; gzip: number; sha256: string };
type PageScripts = { scripts: Script[]; inline: { count: number; raw: number; gzip: number } };

const gz = (data: Buffer | string) => gzipSync(data, { level: 9 }).length;

/** The scripts a prerendered page loads: every <script src>, plus the inline ones (React's flight data). */
export async function pageScripts(appDir: string, htmlFile: string): Promise<PageScripts> {
  const html = await readFile(htmlFile, 'utf8');
  const srcs = new Set<string>();
  for (const match of html.matchAll(/<script\b[^>]*?\ssrc="([^"]+)"/g)) srcs.add(decodeHtml(match[1]!));
  const scripts: Script[] = [];
  for (const src of srcs) {
    const pathname = new URL(src, 'http://localhost').pathname;
    if (!pathname.startsWith('/_next/static/')) throw new Error(`${src}: a script from outside /_next/static/ (${htmlFile})`);
    const data = await readFile(path.join(appDir, '.next', decodeURIComponent(pathname.slice('/_next/'.length))));
    scripts.push({ src: pathname, raw: data.length, gzip: gz(data), sha256: createHash('sha256').update(data).digest('hex') });
  }
  let inlineRaw = 0;
  let inlineCount = 0;
  let inlineText = '';
  for (const match of html.matchAll(/<script\b(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
    inlineCount += 1;
    inlineRaw += Buffer.byteLength(match[1]!);
    inlineText += match[1]!;
  }
  return { scripts, inline: { count: inlineCount, raw: inlineRaw, gzip: inlineCount ? gz(inlineText) : 0 } };
}

function decodeHtml(value: string): string {
  return value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

const sum = (list: Script[], key: 'raw' | 'gzip') => list.reduce((a, s) => a + s[key], 0);

export async function clientJsBenchmark(ctx: BenchContext): Promise<string> {
  const article = await pageScripts(ctx.appDir, path.join(ctx.appDir, '.next', 'server', 'app', 'articles', `${REFERENCE_SLUG}.html`));
  const home = await pageScripts(ctx.appDir, path.join(ctx.appDir, '.next', 'server', 'app', 'index.html'));
  const empty = await pageScripts(ctx.emptyDir, path.join(ctx.emptyDir, '.next', 'server', 'app', 'index.html'));
  if (article.scripts.length === 0 || empty.scripts.length === 0) throw new Error('no <script src> found: has the HTML format changed?');

  const emptyGzip = sum(empty.scripts, 'gzip');
  const row = (name: string, p: PageScripts) => [
    name,
    String(p.scripts.length),
    bytes(sum(p.scripts, 'raw')),
    bytes(sum(p.scripts, 'gzip')),
    `${sum(p.scripts, 'gzip') - emptyGzip >= 0 ? '+' : ''}${bytes(sum(p.scripts, 'gzip') - emptyGzip)}`,
    `${p.inline.count} / ${bytes(p.inline.gzip)}`,
  ];
  const out: string[] = [
    'Every `<script src>` in the prerendered HTML, read from the build output and gzipped at level 9. Deterministic for a ' +
      'commit, so measured once. Scripts a page imports later at run time (only the search box, when opened: below) are not in the HTML and not counted.',
    '',
    table(
      ['Page', 'Script files', 'Raw', 'Gzip -9', 'Gzip vs empty page (what this project adds)', 'Inline scripts / gzip (RSC payload, not code)'],
      [row(`Article \`/articles/${REFERENCE_SLUG}\``, article), row('Home `/`', home), row('Empty Next.js page (same version, same config)', empty)],
    ),
    '',
    await searchOnOpen(ctx.appDir, article.scripts),
    '',
    '<details><summary>Files the article page loads</summary>',
    '',
    fileTable(article.scripts, empty.scripts, 'Same bytes in the empty page'),
    '',
    '</details>',
    '',
    '<details><summary>Files the empty page loads</summary>',
    '',
    fileTable(empty.scripts, article.scripts, 'Same bytes in the article page'),
    '',
    '</details>',
  ];
  return out.join('\n');
}

/**
 * What the header's search box fetches when a reader opens it, and no page loads before: its
 * chunk (the one holding MiniSearch, found by content since its name is a hash) and the index.
 */
async function searchOnOpen(appDir: string, onArrival: Script[]): Promise<string> {
  const chunksDir = path.join(appDir, '.next', 'static', 'chunks');
  const loaded = new Set(onArrival.map((s) => path.basename(s.src)));
  const chunks: { name: string; raw: number; gzip: number }[] = [];
  for (const name of await readdir(chunksDir)) {
    if (!name.endsWith('.js')) continue;
    const data = await readFile(path.join(chunksDir, name));
    if (data.includes('loadJS')) chunks.push({ name, raw: data.length, gzip: gz(data) });
  }
  const arrived = chunks.filter((c) => loaded.has(c.name));
  if (chunks.length === 0 || arrived.length > 0) {
    throw new Error(`the search box's chunk ${arrived.length > 0 ? `is loaded on arrival: ${arrived.map((c) => c.name).join(', ')}` : 'was not found'}`);
  }
  const indexDir = path.join(appDir, '.next', 'search-index');
  const { version } = JSON.parse(await readFile(path.join(indexDir, 'manifest.json'), 'utf8')) as { version: string };
  const index = await readFile(path.join(indexDir, `${version}.json`));
  return (
    `Loaded only when a reader opens the search box (\`/\`, Ctrl/⌘-K or the Search link), never on arrival: the box and MiniSearch ` +
    `(${chunks.map((c) => `\`${c.name}\` ${bytes(c.raw)}, ${bytes(c.gzip)} gzip`).join('; ')}) and this build's index ` +
    `(${bytes(index.length)}, ${bytes(gz(index))} gzip). What the page loads on arrival for search is the launcher: a link and a key listener.`
  );
}

function fileTable(scripts: Script[], other: Script[], otherHeader: string): string {
  // Compared by content, not by name: the two builds can name identical bytes differently.
  const byHash = new Map(other.map((s) => [s.sha256, s.src]));
  return table(
    ['File', 'Raw', 'Gzip -9', otherHeader],
    [...scripts]
      .sort((a, b) => b.gzip - a.gzip)
      .map((s) => {
        const same = byHash.get(s.sha256);
        return [`\`${s.src}\``, bytes(s.raw), bytes(s.gzip), same === undefined ? '' : same === s.src ? 'yes' : `yes (as \`${path.basename(same)}\`)`];
      }),
  );
}
