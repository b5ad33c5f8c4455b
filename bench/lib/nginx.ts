/**
 * Debian's nginx serving files from a temporary folder on a loopback port: the limit for static
 * HTML on this machine. Started in the foreground (daemon off) as our child, with its own prefix,
 * pid file and temp paths so it needs nothing from /etc/nginx or /var, and stopped after.
 */
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, start, waitForHttp } from './proc';

export const NGINX_BIN = '/usr/sbin/nginx';

export type StaticFile = { urlPath: string; file: string; contentType: string };

export type Nginx = { url: string; stop(): Promise<void>; config: string };

export async function startNginx(files: StaticFile[]): Promise<Nginx> {
  if (!existsSync(NGINX_BIN)) throw new Error(`${NGINX_BIN} not found: apt-get install -y nginx`);
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-nginx-'));
  // Run as root, nginx's workers switch to "nobody": they must be able to read the folder.
  await chmod(dir, 0o755);
  const www = path.join(dir, 'www');
  await mkdir(www, { recursive: true, mode: 0o755 });
  const port = await freePort();

  const locations: string[] = [];
  for (const [i, f] of files.entries()) {
    const name = `file-${i}`;
    await copyFile(f.file, path.join(www, name));
    await chmod(path.join(www, name), 0o644);
    // Exact-match location, the type Next.js sends, the bytes Next.js sends.
    locations.push(`    location = ${f.urlPath} { default_type "${f.contentType}"; try_files /${name} =404; }`);
  }
  const config = `daemon off;
master_process on;
# One worker per core, as an nginx in production would run.
worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  sendfile on;
  tcp_nopush on;
  # Node keeps a connection open for any number of requests; so does this nginx.
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port};
    root ${www};
${locations.join('\n')}
  }
}
`;
  const configFile = path.join(dir, 'nginx.conf');
  await writeFile(configFile, config);
  const r = start('nginx', NGINX_BIN, ['-p', dir, '-c', configFile, '-e', path.join(dir, 'error.log')]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}${files[0]?.urlPath ?? '/'}`, r, 15_000);
  } catch (err) {
    await r.stop();
    throw err;
  }
  return {
    url,
    config,
    async stop() {
      await r.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
