#!/usr/bin/env node
// node scripts/prerendered-documents.mjs   (npm runs it after `npm run build`: "postbuild";
//                                           scripts/prepare-standalone.mjs runs it too)
//
// Copies the prerendered home page, articles and feeds that `next build` wrote (.next/server/app/
// index.html, articles/<slug>.html, rss.xml.body...: the very bytes Next serves for them) into
// .next/static/prerendered/, each beside a gzip of it (level 9: it runs once per build), so the
// server answers a reader's document request from a file instead of rendering from its cache and
// compressing per request. next.config.ts routes the requests (lib/content/document-encoding.ts,
// which names the same folder and pages). Safe to run again: the folder is replaced.
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { constants, gzipSync } from 'node:zlib';

const defaultRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** lib/content/document-encoding.ts DOCUMENTS_DIR (a unit test keeps the two equal). */
export const DOCUMENTS_DIR = 'prerendered';

/** lib/content/feed-encoding.ts FEED_FILES: route handlers, whose prerendered body is <file>.body. */
const FEEDS = ['rss.xml', 'atom.xml', 'feed.json'];

/** The prerendered files to serve, relative to .next/server/app (source) and to the folder (served). */
async function documentFiles(appDir) {
  const articles = await readdir(path.join(appDir, 'articles')).catch(() => []);
  const pages = ['index.html', ...articles.filter((name) => name.endsWith('.html')).map((name) => `articles/${name}`)];
  return [...pages.map((file) => ({ source: file, served: file })), ...FEEDS.map((file) => ({ source: `${file}.body`, served: file }))];
}

export async function writePrerenderedDocuments({ root = defaultRoot, log = (line) => console.log(line) } = {}) {
  const appDir = path.join(root, '.next', 'server', 'app');
  const outDir = path.join(root, '.next', 'static', DOCUMENTS_DIR);
  if (!(await stat(path.join(appDir, 'index.html')).catch(() => null))) {
    throw new Error(`${path.join(appDir, 'index.html')} is missing: run \`next build\` first.`);
  }
  await rm(outDir, { recursive: true, force: true });
  const files = await documentFiles(appDir);
  for (const { source, served } of files) {
    const bytes = await readFile(path.join(appDir, source));
    const target = path.join(outDir, served);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, bytes);
    await writeFile(`${target}.gz`, gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }));
  }
  // next.config.ts rewrites the articles it expects prerendered: each must have its file, or its URL would answer a bare 404.
  const manifest = JSON.parse(await readFile(path.join(root, '.next', 'routes-manifest.json'), 'utf8'));
  const expected = (manifest.rewrites?.beforeFiles ?? []).flatMap((r) => /^\/articles\/:slug\(([^)]*)\)$/.exec(r.source)?.[1]?.split('|') ?? []);
  const missing = [...new Set(expected)].filter((slug) => !files.some((f) => f.served === `articles/${slug}.html`));
  if (missing.length > 0) throw new Error(`next.config.ts serves these articles as files, but the build prerendered no HTML for them: ${missing.join(', ')}`);
  log(`prerendered-documents: ${files.length} pages and feeds (identity and gzip) in .next/static/${DOCUMENTS_DIR}`);
  return files;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  writePrerenderedDocuments().catch((err) => {
    console.error(`prerendered-documents: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
}
