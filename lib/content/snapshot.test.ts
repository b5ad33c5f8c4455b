import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { contentLibraryKey, type LoadOptions, loadContent } from './load';
import { contentSignature, readContentSnapshot, readSnapshotFeedHtml, writeContentSnapshot } from './snapshot';

const fixtures = path.resolve('test/fixtures/content/valid');
const now = new Date('2026-03-15T12:00:00Z');
let work: string;
let content: string;
let distDir: string;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'snapshot-'));
  content = path.join(work, 'content');
  distDir = path.join(work, '.next');
  fs.cpSync(fixtures, content, { recursive: true });
});

afterEach(() => {
  fs.rmSync(work, { recursive: true, force: true });
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function snapshotOf(options: LoadOptions, feedHtml: Record<string, string> = {}) {
  const library = loadContent(options);
  const signature = contentSignature(content);
  writeContentSnapshot(distDir, { key: contentLibraryKey(options), signature, library, siteUrl: 'https://example.com', feedHtml });
  return { library, signature };
}

describe('the content snapshot', () => {
  const options = (): LoadOptions => ({ dir: content, root: work, now, includeDrafts: false });

  it('gives back the library it was written from, for the same key and bytes', () => {
    const { library, signature } = snapshotOf(options());
    const read = readContentSnapshot(distDir, contentLibraryKey(options()), signature);
    expect(read?.all).toEqual(library.all);
    expect(read?.articles.map((a) => a.slug)).toEqual(library.articles.map((a) => a.slug));
    expect([...(read?.bySlug.keys() ?? [])]).toEqual([...library.bySlug.keys()]);
    expect(read?.series).toEqual(library.series);
  });

  it('is ignored when any file changed, or for another mode (another day, drafts shown)', () => {
    const { signature } = snapshotOf(options());
    fs.appendFileSync(path.join(content, 'beta.mdx'), '\nOne more line.\n');
    expect(contentSignature(content)).not.toBe(signature);
    expect(readContentSnapshot(distDir, contentLibraryKey(options()), contentSignature(content))).toBeUndefined();
    expect(readContentSnapshot(distDir, contentLibraryKey({ ...options(), now: new Date('2026-03-16T12:00:00Z') }), signature)).toBeUndefined();
    expect(readContentSnapshot(distDir, contentLibraryKey({ ...options(), includeDrafts: true }), signature)).toBeUndefined();
  });

  it('holds feed HTML only for the site URL and bytes it was rendered for', () => {
    const { signature } = snapshotOf(options(), { alpha: '<p>alpha</p>' });
    expect(readSnapshotFeedHtml(distDir, signature, 'https://example.com')).toEqual({ alpha: '<p>alpha</p>' });
    expect(readSnapshotFeedHtml(distDir, signature, 'https://other.example')).toBeUndefined();
    expect(readSnapshotFeedHtml(distDir, 'another-signature', 'https://example.com')).toBeUndefined();
  });

  it('is what a production process loads instead of the files, while the bytes match', async () => {
    // The snapshot's own title proves where the article came from.
    const library = loadContent(options());
    const alpha = library.all.find((a) => a.slug === 'alpha')!;
    const marked = { ...library, all: library.all.map((a) => (a === alpha ? { ...a, title: 'From the snapshot' } : a)) };
    const signature = contentSignature(content);
    writeContentSnapshot(distDir, { key: contentLibraryKey(options()), signature, library: marked, siteUrl: '', feedHtml: {} });
    vi.spyOn(process, 'cwd').mockReturnValue(work);
    vi.stubEnv('NODE_ENV', 'production');
    vi.resetModules();
    const { getArticle, forgetContentLibrary } = await import('./load');
    forgetContentLibrary();
    expect(getArticle('alpha', options())?.title).toBe('From the snapshot');

    forgetContentLibrary();
    fs.appendFileSync(path.join(content, 'alpha.mdx'), '\nEdited after the build.\n');
    expect(getArticle('alpha', options())?.title).toBe(alpha.title);
    forgetContentLibrary();
  });
});
