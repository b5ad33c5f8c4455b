import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { envSchema, newsletterConfigProblems, parseEnv } from '@/lib/env';
import { DEFAULT_FORCE_EXIT_MS, DEFAULT_HOOK_TIMEOUT_MS } from '@/lib/lifecycle';

/**
 * deploy/k8s read with a YAML parser and held to what the fleet needs: the numbers the issue asks
 * for, probes on the routes that exist, a shutdown budget that fits the app's own timeouts, and a
 * ConfigMap/Secret that name every variable lib/env.ts reads (taken from envSchema.shape, so a
 * new variable fails this test until it is wired).
 */

const root = path.resolve(__dirname, '..', '..');
const k8sDir = path.join(root, 'deploy', 'k8s');

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } } & Record<
  string,
  any // eslint-disable-line @typescript-eslint/no-explicit-any -- manifests are walked structurally
>;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(entry.name) ? [full] : [];
  });
}

function parseFile(file: string): Manifest[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  const list = Array.isArray(documents) ? documents : [documents];
  return list.map((document) => {
    expect(document.errors, `${path.relative(root, file)}: ${document.errors.map((e) => e.message).join('; ')}`).toEqual([]);
    return document.toJS() as Manifest;
  });
}

const files = yamlFiles(k8sDir);
const parsed = files.map((file) => ({ file: path.relative(k8sDir, file), documents: parseFile(file) }));
const manifests = parsed.filter((entry) => !entry.file.endsWith('kustomization.yaml')).flatMap((entry) => entry.documents);

function only(kind: string): Manifest {
  const found = manifests.filter((manifest) => manifest.kind === kind);
  expect(found, `exactly one ${kind}`).toHaveLength(1);
  return found[0]!;
}

function named(kind: string, name: string): Manifest {
  const found = manifests.filter((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  expect(found, `exactly one ${kind} ${name}`).toHaveLength(1);
  return found[0]!;
}

function kustomization(relativeDir: string): Manifest {
  return parseFile(path.join(k8sDir, relativeDir, 'kustomization.yaml'))[0]!;
}

const deployment = named('Deployment', 'publication');
const podSpec = deployment.spec.template.spec;
const web = podSpec.containers[0];
const configMap = only('ConfigMap');
const secret = only('Secret');
const job = only('Job');
const cronJob = named('CronJob', 'publication-outbox');
const digestCronJob = named('CronJob', 'publication-weekly-digest');
const podLabels: Record<string, string> = deployment.spec.template.metadata.labels;

const secondsToMs = (value: number) => value * 1000;

describe('every manifest', () => {
  it('parses, names its kind and apiVersion, and leaves the namespace to the caller', () => {
    expect(manifests.map((manifest) => manifest.kind).sort()).toEqual(
      ['ConfigMap', 'CronJob', 'CronJob', 'Deployment', 'Deployment', 'HorizontalPodAutoscaler', 'Job', 'PodDisruptionBudget', 'PodDisruptionBudget', 'Secret', 'Service', 'Service'],
    );
    for (const manifest of manifests) {
      expect(manifest.apiVersion, JSON.stringify(manifest.metadata)).toMatch(/^(v1|[a-z.]+\/v[0-9a-z]+)$/);
      expect(manifest.kind).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(manifest.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(manifest.metadata.namespace).toBeUndefined();
    }
  });

  it('uses the stable API versions', () => {
    expect(deployment.apiVersion).toBe('apps/v1');
    for (const service of manifests.filter((manifest) => manifest.kind === 'Service')) expect(service.apiVersion).toBe('v1');
    expect(named('Deployment', 'publication-cache').apiVersion).toBe('apps/v1');
    for (const pdb of manifests.filter((manifest) => manifest.kind === 'PodDisruptionBudget')) expect(pdb.apiVersion).toBe('policy/v1');
    expect(only('HorizontalPodAutoscaler').apiVersion).toBe('autoscaling/v2');
    expect(job.apiVersion).toBe('batch/v1');
    expect(cronJob.apiVersion).toBe('batch/v1');
    expect(digestCronJob.apiVersion).toBe('batch/v1');
  });

  it('are all reachable from a kustomization, except the placeholder Secret', () => {
    const main = kustomization('.');
    const migrate = kustomization('migrate');
    const listed = new Set([
      ...(main.resources as string[]).map((resource) => path.normalize(resource)),
      ...(migrate.resources as string[]).map((resource) => path.normalize(path.join('migrate', resource))),
    ]);
    const manifestFiles = parsed.map((entry) => entry.file).filter((file) => !file.endsWith('kustomization.yaml'));
    for (const file of manifestFiles) {
      if (file === 'secret.example.yaml') expect(listed.has(file), 'the placeholder Secret must not be applied').toBe(false);
      else expect(listed.has(file), `${file} is in no kustomization`).toBe(true);
    }
    // The Job stays out of the main kustomization: its pod template is immutable.
    expect(main.resources).not.toContain('migrate/job.yaml');
  });

  it('gets the same image in both kustomizations, for every container that uses it', () => {
    const main = kustomization('.');
    const migrate = kustomization('migrate');
    expect(migrate.images).toEqual(main.images);
    const imageName: string = main.images[0].name;
    const containers = [web, job.spec.template.spec.containers[0], ...[cronJob, digestCronJob].map((c) => c.spec.jobTemplate.spec.template.spec.containers[0])];
    for (const container of containers) expect(container.image, container.name).toBe(imageName);
  });
});

describe('Deployment', () => {
  it('runs 3 replicas with a rolling update of one pod at a time', () => {
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } });
    expect(deployment.spec.selector.matchLabels).toEqual(podLabels);
  });

  it('requests 256Mi and 250m and sets limits above them', () => {
    expect(web.resources.requests).toEqual({ memory: '256Mi', cpu: '250m' });
    expect(web.resources.limits.memory).toMatch(/^\d+Mi$/);
    expect(parseInt(web.resources.limits.memory, 10)).toBeGreaterThan(256);
    expect(web.resources.limits.cpu).toBeDefined();
  });

  it('probes readiness on /api/health/ready and liveness and startup on /api/health/live, on its port', () => {
    const portNames = (web.ports as { name: string; containerPort: number }[]).map((port) => port.name);
    expect(web.readinessProbe.httpGet.path).toBe('/api/health/ready');
    expect(web.livenessProbe.httpGet.path).toBe('/api/health/live');
    expect(web.startupProbe.httpGet.path).toBe('/api/health/live');
    for (const probe of [web.readinessProbe, web.livenessProbe, web.startupProbe]) {
      expect(portNames).toContain(probe.httpGet.port);
      // The readiness check's own database budget is 2 s; the probe must wait longer than that.
      expect(probe.timeoutSeconds).toBeGreaterThanOrEqual(2);
    }
    expect(web.readinessProbe.timeoutSeconds).toBeGreaterThan(2);
  });

  it('has a grace period that covers preStop, drain, the outbox worker and the app deadline', () => {
    const preStop: string[] = web.lifecycle.preStop.exec.command;
    expect(preStop[0]).toBe('sleep');
    const preStopMs = secondsToMs(Number(preStop[1]));
    const drainMs = secondsToMs(Number(configMap.data.SHUTDOWN_DRAIN_SECONDS));
    expect(preStopMs).toBeGreaterThan(0);
    expect(drainMs).toBeGreaterThan(0);
    // The app's own deadline leaves room for drain + hooks, and ends before the kubelet's SIGKILL.
    expect(DEFAULT_FORCE_EXIT_MS).toBeGreaterThan(drainMs + DEFAULT_HOOK_TIMEOUT_MS);
    expect(secondsToMs(podSpec.terminationGracePeriodSeconds)).toBeGreaterThan(preStopMs + DEFAULT_FORCE_EXIT_MS);
  });

  it('runs as non-root with a read-only root filesystem, no privilege escalation and no capabilities', () => {
    expect(podSpec.securityContext.runAsNonRoot).toBe(true);
    expect(podSpec.securityContext.runAsUser).toBeGreaterThan(0);
    expect(web.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(podSpec.automountServiceAccountToken).toBe(false);
  });

  it('gives Next a writable cache folder (an emptyDir) under the read-only root', () => {
    const mount = (web.volumeMounts as { name: string; mountPath: string }[]).find((m) => m.mountPath === '/app/.next/cache');
    expect(mount).toBeDefined();
    const volume = (podSpec.volumes as { name: string; emptyDir?: object }[]).find((v) => v.name === mount!.name);
    expect(volume?.emptyDir).toBeDefined();
  });

  it('binds to all interfaces (Kubernetes sets HOSTNAME to the pod name, which Next would bind to)', () => {
    const env = Object.fromEntries((web.env as { name: string; value: string }[]).map((entry) => [entry.name, entry.value]));
    expect(env.HOSTNAME).toBe('0.0.0.0');
    expect(Number(env.PORT)).toBe(web.ports[0].containerPort);
  });

  it('carries the Prometheus scrape annotations: the metrics route, on the container port', () => {
    const annotations: Record<string, string> = deployment.spec.template.metadata.annotations;
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(annotations['prometheus.io/path']).toBe('/api/metrics');
    expect(existsSync(path.join(root, 'app', 'api', 'metrics', 'route.ts'))).toBe(true);
    expect(Number(annotations['prometheus.io/port'])).toBe(web.ports.find((port: { name: string }) => port.name === 'http').containerPort);
    // The token Prometheus must send is a key of the Secret the pods read.
    expect(Object.keys(secret.stringData)).toContain('METRICS_TOKEN');
  });

  it('reads its settings from the ConfigMap and the Secret', () => {
    expect(web.envFrom).toEqual(
      expect.arrayContaining([{ configMapRef: { name: configMap.metadata.name } }, { secretRef: { name: secret.metadata.name } }]),
    );
  });
});

describe('ConfigMap and Secret', () => {
  const configNames = Object.keys(configMap.data);
  const secretNames = Object.keys(secret.stringData);

  it('name every variable in lib/env.ts', () => {
    const wired = new Set([...configNames, ...secretNames]);
    const missing = Object.keys(envSchema.shape).filter((name) => !wired.has(name));
    expect(missing).toEqual([]);
  });

  it('keep credentials in the Secret only', () => {
    for (const name of ['DATABASE_URL', 'NEWSLETTER_SECRET', 'RESEND_API_KEY', 'CRON_SECRET', 'RESEND_WEBHOOK_SECRET', 'METRICS_TOKEN']) {
      expect(secretNames).toContain(name);
      expect(configNames).not.toContain(name);
    }
  });

  it('hold strings only (a bare true or 5 is a YAML boolean or number, which Kubernetes refuses)', () => {
    for (const [name, value] of Object.entries({ ...configMap.data, ...secret.stringData })) {
      expect(typeof value, name).toBe('string');
    }
  });

  it('read as a production configuration, except that every example secret is refused as a placeholder', () => {
    const { env, issues } = parseEnv({ ...configMap.data, ...secret.stringData });
    expect(env.NODE_ENV).toBe('production');
    // Applying the example file as it is must not ship publicly known secrets: each is refused (503, named in the log).
    expect(issues.map((issue) => issue.name).sort()).toEqual([...secretNames].sort());
    for (const issue of issues) expect(issue.message).toMatch(/placeholder/);
    expect(newsletterConfigProblems(env, issues)).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'NEWSLETTER_SECRET', 'RESEND_API_KEY'].map((name) => expect.stringMatching(new RegExp(`^${name} is invalid`)))),
    );
  });

  it('with real secrets in their place, are a complete production configuration', () => {
    const real = Object.fromEntries(secretNames.map((name) => [name, name === 'RESEND_WEBHOOK_SECRET' ? `whsec_${randomBytes(24).toString('base64')}` : randomBytes(24).toString('base64url')]));
    real.DATABASE_URL = 'postgresql://app:pw@db.internal:5432/app?sslmode=require';
    const { env, issues } = parseEnv({ ...configMap.data, ...real });
    expect(issues).toEqual([]);
    expect(newsletterConfigProblems(env, issues)).toEqual([]);
    // The Ingress controller and the cache tier append to X-Forwarded-For.
    expect(env.TRUSTED_PROXY_HOPS).toBe(2);
  });
});

describe('Service, PodDisruptionBudget, HorizontalPodAutoscaler', () => {
  it('Service selects the pods and targets their named port', () => {
    const service = named('Service', 'publication');
    expect(service.spec.selector).toEqual(podLabels);
    expect(web.ports.map((port: { name: string }) => port.name)).toContain(service.spec.ports[0].targetPort);
  });

  it('PodDisruptionBudget keeps at least 2 of the 3 pods', () => {
    const pdb = named('PodDisruptionBudget', 'publication');
    expect(pdb.spec.minAvailable).toBe(2);
    expect(pdb.spec.selector.matchLabels).toEqual(podLabels);
    // Below the replica count, or no node could ever be drained.
    expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
  });

  it('the cache tier keeps at least 1 of its 2 pods through a drain', () => {
    const cache = named('Deployment', 'publication-cache');
    const pdb = named('PodDisruptionBudget', 'publication-cache');
    expect(pdb.spec.selector.matchLabels).toEqual(cache.spec.template.metadata.labels);
    expect(pdb.spec.minAvailable).toBeGreaterThanOrEqual(1);
    expect(pdb.spec.minAvailable).toBeLessThan(cache.spec.replicas);
  });

  it('HorizontalPodAutoscaler scales the Deployment between 3 and 10 on CPU', () => {
    const hpa = only('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBe(3);
    expect(hpa.spec.maxReplicas).toBe(10);
    const cpu = hpa.spec.metrics.find((metric: { resource?: { name: string } }) => metric.resource?.name === 'cpu');
    expect(cpu.type).toBe('Resource');
    expect(cpu.resource.target.type).toBe('Utilization');
    expect(cpu.resource.target.averageUtilization).toBeGreaterThan(0);
  });
});

describe('migration Job and outbox CronJob', () => {
  it('the Job runs the image migration command once, with DATABASE_URL from the Secret', () => {
    const spec = job.spec.template.spec;
    const container = spec.containers[0];
    expect(container.command).toEqual(['node', 'migrate.mjs']);
    expect(spec.restartPolicy).toBe('Never');
    expect(job.spec.backoffLimit).toBeGreaterThanOrEqual(0);
    expect(job.spec.ttlSecondsAfterFinished).toBeGreaterThan(0);
    expect(container.env).toContainEqual({
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: secret.metadata.name, key: 'DATABASE_URL' } },
    });
    expect(spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  it('the CronJob POSTs the outbox route through the Service with the CRON_SECRET bearer token', () => {
    const spec = cronJob.spec.jobTemplate.spec.template.spec;
    const container = spec.containers[0];
    const args = (container.command as string[]).join(' ');
    const service = named('Service', 'publication');
    expect(args).toContain(`http://${service.metadata.name}/api/newsletter/outbox`);
    expect(args).toMatch(/method: 'POST'/);
    expect(args).toMatch(/'Bearer ' \+ process\.env\.CRON_SECRET/);
    expect(container.env).toContainEqual({
      name: 'CRON_SECRET',
      valueFrom: { secretKeyRef: { name: secret.metadata.name, key: 'CRON_SECRET' } },
    });
    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
  });

  it('the weekly digest CronJob POSTs /api/digest once a week with the ANNOUNCE_SECRET bearer token, never two at once', () => {
    const spec = digestCronJob.spec.jobTemplate.spec.template.spec;
    const container = spec.containers[0];
    const args = (container.command as string[]).join(' ');
    const service = named('Service', 'publication');
    expect(args).toContain(`http://${service.metadata.name}/api/digest`);
    expect(args).toMatch(/method: 'POST'/);
    expect(args).toMatch(/'Bearer ' \+ process\.env\.ANNOUNCE_SECRET/);
    expect(container.env).toContainEqual({
      name: 'ANNOUNCE_SECRET',
      valueFrom: { secretKeyRef: { name: secret.metadata.name, key: 'ANNOUNCE_SECRET' } },
    });
    // Minute, hour, any day of the month, any month, one day of the week: weekly.
    expect(digestCronJob.spec.schedule).toMatch(/^\d+ \d+ \* \* [0-6]$/);
    expect(digestCronJob.spec.timeZone).toBe('Etc/UTC');
    expect(digestCronJob.spec.concurrencyPolicy).toBe('Forbid');
    expect(digestCronJob.spec.jobTemplate.spec.backoffLimit).toBe(0);
    expect(spec.restartPolicy).toBe('Never');
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    // The request's own timeout ends before the Job's deadline, so a slow run fails loudly rather than being killed silently.
    const timeout = Number(/AbortSignal\.timeout\((\d+)\)/.exec(args)?.[1]);
    expect(timeout).toBeLessThan(digestCronJob.spec.jobTemplate.spec.activeDeadlineSeconds * 1000);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

  it('runs the standalone server as the non-root user the pods expect, on the port they probe', () => {
    expect(dockerfile).toMatch(/^CMD \["node", "server\.js"\]$/m);
    const users = [...dockerfile.matchAll(/^USER (\d+)(?::\d+)?$/gm)];
    expect(users.at(-1)?.[1]).toBe(String(podSpec.securityContext.runAsUser));
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${web.ports[0].containerPort}$`, 'm'));
    expect(dockerfile).toMatch(/^HEALTHCHECK [\s\S]*\/api\/health\/live/m);
  });

  it('builds the standalone output with the script that adds static files, content, migrations and migrate.mjs', () => {
    expect(dockerfile).toMatch(/node scripts\/prepare-standalone\.mjs/);
    expect(dockerfile).toMatch(/COPY --from=build \/app\/\.next\/standalone \.\//);
  });
});
