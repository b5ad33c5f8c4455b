// One-off (not committed): the tier storing the app's gzip vs nginx gzipping every answer itself.
import { cacheTierHttp, writeCacheTierIncludes } from '../testing/cache-tier';
import { startNginx } from '../testing/nginx';
import { startAppServer } from './lib/workspace';
import { SERVER_CORES, wrk } from './lib/wrk';
import { REPO_ROOT } from './config';

const app = await startAppServer(REPO_ROOT, {}, { cores: SERVER_CORES });
const upstream = `upstream publication { server ${new URL(app.url).host} max_fails=0; }`;
const shipped = await startNginx({ cores: SERVER_CORES, readyPath: '/_cache-tier/health', prepare: (d) => writeCacheTierIncludes(d, {}), http: (d, p) => cacheTierHttp(d, p, upstream) });
const ngzip = await startNginx({
  cores: SERVER_CORES, readyPath: '/_cache-tier/health', prepare: (d) => writeCacheTierIncludes(d, {}),
  http: (d, p) => cacheTierHttp(d, p, upstream).replace('proxy_set_header Accept-Encoding $cache_encoding;', 'proxy_set_header Accept-Encoding ""; gzip on; gzip_proxied any; gzip_types text/html; gzip_vary on;'),
});
const path = '/articles/understanding-distributed-systems';
const h = { 'accept-encoding': 'gzip' };
try {
  for (const n of [shipped, ngzip]) await wrk(`${n.url}${path}`, { connections: 50, durationSec: 2, headers: h });
  for (let round = 0; round < 2; round += 1) {
    for (const [name, n] of [['stores app gzip', shipped], ['nginx gzip on', ngzip]] as const) {
      const r = await wrk(`${n.url}${path}`, { connections: 50, durationSec: 3, headers: h });
      console.log(`${name}: ${Math.round(r.rps)} req/s`);
    }
  }
} finally {
  await shipped.stop(); await ngzip.stop(); await app.stop();
}
