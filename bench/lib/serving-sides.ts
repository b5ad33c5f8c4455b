/**
 * The servers the serving bench compares, each pinned to SERVER_CORES (wrk runs on LOAD_CORES):
 * the project's standalone server, an empty Next.js page's standalone server (same settings),
 * nginx serving the very bytes the app sends from disk (the plain file, and for gzip a .gz beside
 * it with the app's own gzip bytes, via gzip_static), and the shipped cache tier
 * (deploy/k8s/cache-tier/cache.conf) in front of the project's server. nginx runs one worker:
 * one core.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cacheTierHttp, writeCacheTierIncludes } from '../../testing/cache-tier';
import { httpRequest, type HttpAnswer } from '../../testing/http';
import { startNginx, type Nginx } from '../../testing/nginx';
import { SERVER_CORES } from './wrk';
import { startAppServer, type AppServer } from './workspace';

export type Encoding = 'identity' | 'gzip';
export const ENCODINGS: readonly Encoding[] = ['identity', 'gzip'];
export const acceptEncoding = (encoding: Encoding): Record<string, string> => (encoding === 'gzip' ? { 'accept-encoding': 'gzip' } : {});

export type Page = { name: string; urlPath: string };

/** One GET, raw bytes kept (a gzip answer is not decoded). */
export function get(url: string, encoding: Encoding): Promise<HttpAnswer> {
  return httpRequest(url, { headers: acceptEncoding(encoding), timeoutMs: 30_000 });
}

export type Sides = { app: AppServer; empty: AppServer; disk: Nginx; cache: Nginx; stop(): Promise<void> };

export async function startSides(appDir: string, emptyDir: string, pages: Page[]): Promise<Sides> {
  const started: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    for (const side of started.reverse()) await side.stop().catch(() => {});
  };
  try {
    const app = await startAppServer(appDir, {}, { cores: SERVER_CORES });
    started.push(app);
    const empty = await startAppServer(emptyDir, {}, { cores: SERVER_CORES });
    started.push(empty);
    // What the app sends for each page in each encoding: nginx serves exactly these bytes.
    const files: { page: Page; contentType: string; identity: Buffer; gzip: Buffer }[] = [];
    for (const page of pages) {
      const [identity, gzip] = await Promise.all(ENCODINGS.map((encoding) => get(`${app.url}${page.urlPath}`, encoding)));
      for (const answer of [identity!, gzip!]) if (answer.status !== 200) throw new Error(`${page.urlPath} answered ${answer.status}`);
      if (gzip!.headers['content-encoding'] !== 'gzip') throw new Error(`${page.urlPath}: the app sent no gzip answer to Accept-Encoding: gzip`);
      files.push({ page, contentType: String(identity!.headers['content-type']), identity: identity!.bytes, gzip: gzip!.bytes });
    }
    const disk = await startNginx({
      cores: SERVER_CORES,
      readyPath: pages[0]?.urlPath ?? '/',
      // Run as root, nginx's workers switch to "nobody": they must be able to read the files.
      prepare: async (dir) => {
        await mkdir(path.join(dir, 'www'), { recursive: true });
        await chmod(path.join(dir, 'www'), 0o755);
        for (const [i, file] of files.entries()) {
          for (const [name, bytes] of [[`file-${i}`, file.identity], [`file-${i}.gz`, file.gzip]] as const) {
            await writeFile(path.join(dir, 'www', name), bytes);
            await chmod(path.join(dir, 'www', name), 0o644);
          }
        }
      },
      http: (dir, port) => `  access_log off;
  sendfile on;
  tcp_nopush on;
  # Node keeps a connection open for any number of requests; so does this nginx.
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port};
    # The .gz beside each file for a client that takes gzip, the file otherwise.
    gzip_static on;
    gzip_vary on;
    root ${path.join(dir, 'www')};
    # try_files, not alias: "/" would be taken for a folder and answered by the index module.
${files.map((f, i) => `    location = ${f.page.urlPath} { default_type "${f.contentType}"; try_files /file-${i} =404; }`).join('\n')}
  }`,
    });
    started.push(disk);
    const cache = await startNginx({
      cores: SERVER_CORES,
      readyPath: '/_cache-tier/health',
      prepare: (dir) => writeCacheTierIncludes(dir, {}),
      http: (dir, port) => cacheTierHttp(dir, port, `  upstream publication { server ${new URL(app.url).host} max_fails=0; }`),
    });
    started.push(cache);
    return { app, empty, disk, cache, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
