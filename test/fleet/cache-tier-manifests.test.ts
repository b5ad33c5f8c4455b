import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { CACHE_TIER_CONF, cacheTierHttp, pageFreshSeconds } from '@/testing/cache-tier';

/**
 * deploy/k8s/cache-tier held to what the fleet proof and the bench assume of it: the nginx pods
 * run the very file those run (a ConfigMap kustomize generates from it), listen where their
 * Service sends, send misses to the app's Service, and keep their store in a writable volume under
 * a read-only root. What the file does to requests is proven by e2e/postbuild/fleet.test.ts.
 */

const root = path.resolve(__dirname, '..', '..');
const k8sDir = path.join(root, 'deploy', 'k8s');
const read = (file: string) => readFileSync(path.join(k8sDir, file), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are walked structurally
type Manifest = Record<string, any>;
const one = (file: string): Manifest => parse(read(file)) as Manifest;

const kustomization = one('kustomization.yaml');
const deployment = one('cache-tier/deployment.yaml');
const frontService = one('cache-tier/service.yaml');
const appService = one('service.yaml');
const appDeployment = one('deployment.yaml');
const podSpec = deployment.spec.template.spec;
const nginx = podSpec.containers[0];
const conf = read('cache-tier/cache.conf');
const upstream = read('cache-tier/upstream.conf');
const mountAt = (mountPath: string) => nginx.volumeMounts.find((m: Manifest) => m.mountPath === mountPath);
const volume = (name: string) => podSpec.volumes.find((v: Manifest) => v.name === name);

describe('the cache tier in deploy/k8s', () => {
  it('is the file the fleet proof and the bench run, in a ConfigMap generated from it and mounted where nginx includes it', () => {
    expect(CACHE_TIER_CONF).toBe(path.join(k8sDir, 'cache-tier', 'cache.conf'));
    expect(kustomization.resources).toEqual(expect.arrayContaining(['cache-tier/deployment.yaml', 'cache-tier/service.yaml']));
    const generator = kustomization.configMapGenerator.find((g: Manifest) => g.name === 'publication-cache-tier');
    expect(generator.files).toEqual(['cache-tier/cache.conf', 'cache-tier/upstream.conf']);
    const config = mountAt('/etc/nginx/conf.d');
    expect(config.readOnly).toBe(true);
    expect(volume(config.name).configMap.name).toBe('publication-cache-tier');
  });

  it('listens on its container port, behind a Service that selects only its pods', () => {
    const listen = /^\s*listen (\d+);$/m.exec(conf)?.[1];
    expect(Number(listen)).toBe(nginx.ports.find((p: Manifest) => p.name === frontService.spec.ports[0].targetPort).containerPort);
    expect(frontService.spec.selector).toEqual(deployment.spec.template.metadata.labels);
    expect(deployment.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
    // The app's Service does not select the cache pods, nor the cache's the app's.
    expect(appService.spec.selector['app.kubernetes.io/component']).toBe('web');
    expect(frontService.spec.selector['app.kubernetes.io/component']).toBe('cache');
    expect(appDeployment.spec.template.metadata.labels['app.kubernetes.io/component']).toBe('web');
  });

  it("sends its misses to the app's Service, on the Service's port", () => {
    expect(conf).toMatch(/proxy_pass http:\/\/publication;/);
    const server = /upstream publication \{\s*server ([\w.-]+):(\d+)\b/.exec(upstream);
    expect(server?.[1]).toBe(appService.metadata.name);
    expect(Number(server?.[2])).toBe(appService.spec.ports[0].port);
  });

  it('keeps its store in an emptyDir (larger than max_size) under a read-only root, as a non-root user', () => {
    expect(conf).toMatch(/^proxy_cache_path \/var\/cache\/nginx\/pages .*max_size=512m/m);
    const store = mountAt('/var/cache/nginx');
    expect(volume(store.name).emptyDir.sizeLimit).toBe('1Gi');
    expect(volume(mountAt('/tmp').name).emptyDir).toBeDefined();
    expect(nginx.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(podSpec.securityContext.runAsNonRoot).toBe(true);
  });

  it('probes its own health location, so pods keep serving their store while the app is down', () => {
    for (const probe of [nginx.readinessProbe, nginx.livenessProbe]) {
      expect(conf).toContain(`location = ${probe.httpGet.path} {`);
      expect(probe.httpGet.path).not.toMatch(/^\/api\//);
    }
  });

  it('answers 404 for the metrics route itself: Prometheus scrapes the pods, the outside never sees it', () => {
    const block = /location = \/api\/metrics \{([^}]*)\}/.exec(conf)?.[1];
    expect(block).toMatch(/^\s*return 404;$/m);
    expect(block).not.toMatch(/proxy_pass/);
  });

  it('keeps pages fresh for seconds, not the app\'s year: a rollout shows without a purge', () => {
    expect(pageFreshSeconds()).toBeGreaterThan(0);
    expect(pageFreshSeconds()).toBeLessThanOrEqual(60);
    expect(conf).toMatch(/^\s*proxy_cache_revalidate on;$/m);
  });

  it('sends gzip hits from memory in every page location (one write with the chunk framing), identity hits by sendfile', () => {
    expect(conf).toMatch(/^\s*sendfile on;$/m);
    for (const location of ['location / {', 'location /_next/static/ {']) {
      const block = conf.slice(conf.indexOf(location), conf.indexOf('\n  }\n', conf.indexOf(location)));
      expect(block, location).toMatch(/if \(\$cache_encoding\) \{\s*sendfile off;\s*\}/);
    }
  });

  const kubectl = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((file) => existsSync(file));
  it.skipIf(!kubectl)('renders with kubectl kustomize: the ConfigMap holds both files, under the hashed name the Deployment mounts', () => {
    const rendered = parseAllDocuments(execFileSync(kubectl!, ['kustomize', k8sDir], { encoding: 'utf8' })).map((d) => d.toJS() as Manifest);
    const configMap = rendered.find((m) => m.kind === 'ConfigMap' && m.metadata.name.startsWith('publication-cache-tier-'));
    expect(configMap?.data['cache.conf']).toBe(conf);
    expect(configMap?.data['upstream.conf']).toBe(upstream);
    const cache = rendered.find((m) => m.kind === 'Deployment' && m.metadata.name === 'publication-cache');
    const mounted = cache?.spec.template.spec.volumes.find((v: Manifest) => v.configMap)?.configMap.name;
    expect(mounted).toBe(configMap?.metadata.name);
  });

  it('runs in the fleet proof and the bench with only its port and its two /var folders moved', () => {
    const text = cacheTierHttp('/sandbox', 4321, 'upstream publication { server 127.0.0.1:1; }');
    expect(text).toMatch(/^  listen 127\.0\.0\.1:4321;$/m);
    expect(text).not.toMatch(/\/var\//);
    expect(text).toContain('proxy_cache_path /sandbox/cache/pages ');
    expect(text).toContain('access_log /sandbox/access.log cache_tier buffer=64k flush=1s;');
    // Everything else verbatim.
    const back = text.replace('upstream publication { server 127.0.0.1:1; }\n', '').replace('listen 127.0.0.1:4321;', 'listen 8080;');
    expect(back.replace('/sandbox/cache/', '/var/cache/nginx/').replace('/sandbox/', '/var/log/nginx/')).toBe(conf);
  });
});
