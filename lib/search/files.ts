import fs from 'node:fs';
import path from 'node:path';
import { INDEX_FORMAT, type SearchIndexFile } from './engine';
import type { SearchAssets } from './build';
import type { ArticleSection } from './sections';

/**
 * Where `next build` leaves the search index (scripts/build-search-index.ts, run from next.config.ts
 * once the code is compiled and before pages are prerendered): `.next/search-index/`, shipped with
 * the standalone server by scripts/prepare-standalone.mjs.
 *
 *   manifest.json          { format, version }: which files are current
 *   <version>.json         the index (what /search-index/<version> serves to browsers)
 *   <version>.texts.json   every article's sections, for excerpts
 */
export function searchIndexDir(distDir: string): string {
  return path.join(distDir, 'search-index');
}

type Manifest = { format: number; version: string; articles: number };

export function writeSearchAssets(distDir: string, assets: SearchAssets): string {
  const dir = searchIndexDir(distDir);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${assets.version}.json`), assets.indexJson);
  fs.writeFileSync(path.join(dir, `${assets.version}.texts.json`), JSON.stringify(assets.texts));
  // Last, so a reader never sees a manifest naming files that are not written yet.
  const manifest: Manifest = { format: INDEX_FORMAT, version: assets.version, articles: assets.index.articles.length };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

export function readSearchVersion(distDir: string): string {
  return readManifest(distDir).version;
}

export function readSearchAssets(distDir: string): SearchAssets {
  const dir = searchIndexDir(distDir);
  const { version } = readManifest(distDir);
  const indexJson = fs.readFileSync(path.join(dir, `${version}.json`), 'utf8');
  const texts = JSON.parse(fs.readFileSync(path.join(dir, `${version}.texts.json`), 'utf8')) as Record<string, ArticleSection[]>;
  return { version, index: JSON.parse(indexJson) as SearchIndexFile, indexJson, texts };
}

function readManifest(distDir: string): Manifest {
  const file = path.join(searchIndexDir(distDir), 'manifest.json');
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch (error) {
    throw new Error(`search index missing (${file}): next build writes it through next.config.ts; ${error instanceof Error ? error.message : String(error)}`);
  }
  if (manifest.format !== INDEX_FORMAT) throw new Error(`${file}: search index format ${manifest.format}, this server reads ${INDEX_FORMAT}; rebuild`);
  return manifest;
}
