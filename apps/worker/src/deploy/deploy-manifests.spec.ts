import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { ENV_SCHEMA, parseRedisUrl, queuePrefixFor } from '@export-service/config';
import { QueueName } from '@export-service/contracts';
import { waitListKey } from '@export-service/queue';
import { ABORT_GRACE_MS, SHUTDOWN_GRACE_MS } from '../worker-runtime';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; spec?: any; data?: Record<string, string>; stringData?: Record<string, string> };

const ROOT = resolve(__dirname, '..', '..', '..', '..');
const K8S = join(ROOT, 'k8s');

/** The schema-checked model of each kind the manifests use (Kubernetes' own schemas; KEDA's CRD schema). */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

function loadManifests(): Array<Manifest & { file: string }> {
  return readdirSync(K8S)
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(K8S, file), 'utf8')).map((document) => {
        if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((error) => error.message).join('; ')}`);
        return { ...(document.toJSON() as Manifest), file };
      }),
    );
}

const manifests = loadManifests();
const byKind = (kind: string) => manifests.filter((manifest) => manifest.kind === kind);
const named = (kind: string, name: string) => {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in k8s/`);
  return found;
};
const workloads = () => [...byKind('Deployment'), ...byKind('StatefulSet')];
const config = () => named('ConfigMap', 'export-service-config').data as Record<string, string>;

describe('k8s/', () => {
  it.each(manifests.map((manifest) => [`${manifest.file}: ${manifest.kind} ${manifest.metadata.name}`, manifest] as const))('%s is valid against its schema', (_name, manifest) => {
    const { file: _file, ...body } = manifest;
    const Model = MODELS[`${body.apiVersion}/${body.kind}`];
    if (!Model) throw new Error(`no schema known for ${body.apiVersion} ${body.kind}: add its model to MODELS`);
    expect(() => new Model(body).validate()).not.toThrow();
  });

  it('refuses what the schemas refuse (the check is not vacuous)', () => {
    const { file: _file, ...worker } = named('Deployment', 'export-worker');
    expect(() => new Deployment({ ...worker, spec: { ...worker.spec, replicas: 'two' } } as any).validate()).toThrow();
    const { file: _scaledFile, ...scaled } = named('ScaledObject', 'export-worker');
    expect(() => new ScaledObject({ ...scaled, spec: { ...scaled.spec, triggers: [{ metadata: {} }] } } as any).validate()).toThrow();
    expect(() => new ScaledObject({ ...scaled, spec: { ...scaled.spec, minReplicaCount: '1' } } as any).validate()).toThrow();
  });

  it('gives every container probes and resources (memory limits included)', () => {
    for (const workload of workloads()) {
      for (const container of workload.spec.template.spec.containers) {
        const where = `${workload.metadata.name}/${container.name}`;
        expect({ where, liveness: !!container.livenessProbe, readiness: !!container.readinessProbe }).toEqual({ where, liveness: true, readiness: true });
        expect({ where, requests: container.resources?.requests?.memory && container.resources?.requests?.cpu, limit: container.resources?.limits?.memory }).toEqual({
          where,
          requests: expect.any(String),
          limit: expect.any(String),
        });
      }
    }
  });

  it('protects every Deployment with a PodDisruptionBudget that selects its pods', () => {
    for (const deployment of byKind('Deployment')) {
      const labels = deployment.spec.template.metadata.labels as Record<string, string>;
      const budget = byKind('PodDisruptionBudget').find((pdb) =>
        Object.entries(pdb.spec.selector.matchLabels as Record<string, string>).every(([label, value]) => labels[label] === value),
      );
      expect({ deployment: deployment.metadata.name, hasBudget: !!budget }).toEqual({ deployment: deployment.metadata.name, hasBudget: true });
    }
  });

  it("gives workers longer than the worker's own shutdown grace before Kubernetes kills them", () => {
    const worker = named('Deployment', 'export-worker');
    expect(worker.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(SHUTDOWN_GRACE_MS + ABORT_GRACE_MS);
  });

  it("scales workers on the real BullMQ wait list of the service's prefix and exports queue", () => {
    const prefix = queuePrefixFor(parseRedisUrl(config().REDIS_URL as string), config().QUEUE_PREFIX ?? String(ENV_SCHEMA.QUEUE_PREFIX.fallback));
    const scaled = named('ScaledObject', 'export-worker');
    expect(scaled.spec.scaleTargetRef.name).toBe(named('Deployment', 'export-worker').metadata.name);
    const [trigger] = scaled.spec.triggers;
    expect(trigger.type).toBe('redis');
    expect(trigger.metadata.listName).toBe(waitListKey(prefix, QueueName.exports));
    expect(trigger.metadata.address).toBe(new URL(config().REDIS_URL as string).host);
  });

  it('points Services and autoscalers at workloads that exist, and the worker and scheduler probes at METRICS_PORT', () => {
    for (const service of byKind('Service')) {
      const selector = service.spec.selector as Record<string, string>;
      expect(workloads().some((workload) => Object.entries(selector).every(([label, value]) => workload.spec.template.metadata.labels[label] === value))).toBe(true);
    }
    for (const hpa of byKind('HorizontalPodAutoscaler')) expect(named(hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name)).toBeDefined();
    for (const name of ['export-worker', 'export-scheduler']) {
      const [container] = named('Deployment', name).spec.template.spec.containers;
      expect(container.ports).toEqual([{ name: 'metrics', containerPort: Number(config().METRICS_PORT) }]);
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    }
  });

  it('sets only variables the service reads, with values it accepts', () => {
    const secret = named('Secret', 'export-service-secrets').stringData as Record<string, string>;
    for (const name of [...Object.keys(config()), ...Object.keys(secret)]) expect({ name, isKnown: name in ENV_SCHEMA }).toEqual({ name, isKnown: true });
    for (const [name, value] of Object.entries(config())) expect(() => (ENV_SCHEMA as Record<string, { parse(raw: string): unknown }>)[name]?.parse(value)).not.toThrow();
  });
});

/** S3 settings the compose file sets for the S3 artifact store that issue 13 (delivery) adds to the env schema. */

describe('docker/docker-compose.yml', () => {
  const compose = parseAllDocuments(readFileSync(join(ROOT, 'docker', 'docker-compose.yml'), 'utf8'), { merge: true })[0]?.toJS() as {
    services: Record<string, any>;
    volumes: Record<string, unknown>;
  };
  const ours = Object.entries(compose.services).filter(([, service]) => service.build);

  it('brings up PostgreSQL, Redis (noeviction), MinIO with its bucket, the API, two workers and the scheduler', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'minio', 'minio-bucket', 'postgres', 'redis', 'scheduler', 'worker']);
    expect(compose.services.redis.command).toEqual(expect.arrayContaining(['--maxmemory-policy', 'noeviction']));
    expect(compose.services.worker.deploy.replicas).toBe(2);
    expect(ours.map(([name, service]) => [name, service.command[1]])).toEqual([
      ['api', 'apps/api/dist/main.js'],
      ['worker', 'apps/worker/dist/main.js'],
      ['scheduler', 'apps/scheduler/dist/main.js'],
    ]);
    expect(Number.parseInt(compose.services.worker.stop_grace_period, 10) * 1000).toBeGreaterThan(SHUTDOWN_GRACE_MS + ABORT_GRACE_MS);
    for (const service of Object.values(compose.services)) {
      for (const volume of (service.volumes ?? []) as string[]) expect(Object.keys(compose.volumes)).toContain(volume.split(':')[0]);
      for (const dependency of Object.keys(service.depends_on ?? {})) expect(Object.keys(compose.services)).toContain(dependency);
    }
  });

  it('sets only variables in the env schema', () => {
    const names = new Set(ours.flatMap(([, service]) => Object.keys(service.environment as Record<string, string>)));
    expect([...names].filter((name) => !(name in ENV_SCHEMA))).toEqual([]);
    expect(compose.services.api.environment.STORAGE_DRIVER).toBe('s3');
    expect(compose.services.api.environment.S3_ENDPOINT).toBe('http://minio:9000');
    expect(compose.services.api.environment.S3_BUCKET).toBe(compose.services['minio-bucket'].entrypoint[2].split('local/')[1]);
  });
});
