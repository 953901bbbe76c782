import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@clicks/config';

// Offline: scripts/k8s-*.js are plain CommonJS shared with CI (`node scripts/k8s-validate.js`).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const v = require('../../scripts/k8s-validate');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { nodeFlags } = require('../../scripts/lib/node-flags') as { nodeFlags: (app: string) => string[] };

const ROOT = join(__dirname, '..', '..');
const overlays: [string, any][] = v.OVERLAYS.map((dir: string) => [dir, v.checkOverlay(dir)]);
const monitoring: any[] = v.render(join(__dirname, '..', '..', 'k8s', 'monitoring'));
const clone = (o: unknown) => structuredClone(o) as any;
/** Workloads that run more than one pod (in prod): spread over nodes and zones. */
const MULTI_REPLICA = ['ingest', 'gateway', 'aggregator', 'archiver'];
const byKind = (objects: any[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

describe.each(overlays)('%s', (_, { objects, errors }) => {
  it('renders objects that are valid, consistent and match the apps', () => {
    expect(errors).toEqual([]);
  });

  it('has every part the system needs', () => {
    const ids = objects.map((o: any) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`);
    expect(ids).toEqual(
      expect.arrayContaining([
        'Namespace/clicks',
        'ConfigMap/clicks-config',
        'Secret/clicks-secrets',
        'Deployment/ingest',
        'Deployment/gateway',
        'StatefulSet/aggregator',
        'DaemonSet/log-agent',
        'StatefulSet/questdb',
        'Ingress/clicks',
        'HorizontalPodAutoscaler/ingest',
        'HorizontalPodAutoscaler/gateway',
        'PodDisruptionBudget/ingest',
        'PodDisruptionBudget/gateway',
        'PodDisruptionBudget/aggregator',
      ]),
    );
    expect(
      objects.filter((o: any) => o.kind !== 'Namespace').every((o: any) => o.metadata.namespace === 'clicks'),
    ).toBe(true);
  });

  it('gives every app container an environment the apps accept', () => {
    for (const w of objects.filter((o: any) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind))) {
      for (const c of w.spec.template.spec.containers.filter((c: any) => v.appOf(c))) {
        const env = v.effectiveEnv(objects, c, { name: `${w.metadata.name}-0`, nodeName: 'node-1' });
        expect(() => loadConfig(env)).not.toThrow();
        // The password travels on its own (from the Secret), never spliced into the URL.
        expect(env.REDIS_URL).toMatch(/^redis:\/\/[^$@:]+:\d+$/);
        expect(loadConfig(env).redis.password).toMatch(/^[^$]+$/);
        // QuestDB's too: the URL carries none, the app adds its QUESTDB_PG_USER/QUESTDB_PG_PASSWORD.
        expect(env.QUESTDB_PG_URL).toMatch(/^postgresql:\/\/[^$@:]+:\d+\/qdb$/);
        expect(env.QUESTDB_PG_PASSWORD).toMatch(/^[^$]+$/);
      }
    }
  });

  it("runs QuestDB as the image's non-root user (10001) with a read-only root file system", () => {
    const pod = byKind(objects, 'StatefulSet', 'questdb').spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
    });
    const c = pod.containers.find((x: any) => x.name === 'questdb');
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    // What it writes: its root on the volume, and the JVM's temporary files.
    expect(c.volumeMounts.map((m: any) => m.mountPath).sort()).toEqual(['/tmp', '/var/lib/questdb']);
  });

  it("gives the apps QuestDB's own credentials from the Secret, and a URL without any", () => {
    const qc = byKind(objects, 'StatefulSet', 'questdb').spec.template.spec.containers[0];
    const fromSecret = (c: any, name: string) => c.env.find((e: any) => e.name === name)?.valueFrom?.secretKeyRef;
    expect(fromSecret(qc, 'QDB_PG_USER')).toMatchObject({ name: expect.stringMatching(/^clicks-secrets-/) });
    expect(fromSecret(qc, 'QDB_PG_PASSWORD')).toMatchObject({ name: expect.stringMatching(/^clicks-secrets-/) });
    const server = v.effectiveEnv(objects, qc);
    for (const w of objects.filter((o: any) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind))) {
      for (const c of w.spec.template.spec.containers.filter((x: any) => v.appOf(x))) {
        // The same Secret keys as the server's: one copy of the account, nothing to keep in step.
        expect(fromSecret(c, 'QUESTDB_PG_USER')).toEqual(fromSecret(qc, 'QDB_PG_USER'));
        expect(fromSecret(c, 'QUESTDB_PG_PASSWORD')).toEqual(fromSecret(qc, 'QDB_PG_PASSWORD'));
        expect(c.env.find((e: any) => e.name === 'QUESTDB_PG_URL')).toBeUndefined(); // the ConfigMap's
        const env = v.effectiveEnv(objects, c);
        expect(env.QUESTDB_PG_URL).toBe('postgresql://questdb:8812/qdb');
        // What the app connects with: the server's account, in a URL it built itself.
        const url = new URL(loadConfig(env).questdb.pgUrl);
        expect([url.host, decodeURIComponent(url.username), decodeURIComponent(url.password)]).toEqual([
          'questdb:8812',
          server.QDB_PG_USER,
          server.QDB_PG_PASSWORD,
        ]);
      }
    }
  });

  it("turns QuestDB's metrics on, on a named port that k8s/monitoring scrapes", () => {
    const pod = byKind(objects, 'StatefulSet', 'questdb').spec.template;
    const qc = pod.spec.containers[0];
    expect(v.effectiveEnv(objects, qc).QDB_METRICS_ENABLED).toBe('true');
    expect(qc.ports).toContainEqual({ name: 'metrics', containerPort: 9003 });
    const pm = byKind(monitoring, 'PodMonitor', 'questdb');
    expect(v.selects(pm.spec.selector, pod.metadata.labels)).toBe(true);
    expect(pm.spec.podMetricsEndpoints).toContainEqual(expect.objectContaining({ port: 'metrics', path: '/metrics' }));
  });

  it('sets no replica count on a workload an HPA scales', () => {
    const hpas = objects.filter((o: any) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpas.map((h: any) => h.spec.scaleTargetRef.name).sort()).toEqual(['gateway', 'ingest']);
    for (const h of hpas) {
      expect(byKind(objects, h.spec.scaleTargetRef.kind, h.spec.scaleTargetRef.name).spec.replicas).toBeUndefined();
    }
  });

  it('lets the ingress controller reach only ingest and gateway, and only the apps reach QuestDB and Redis', () => {
    const ns = (name: string) => ({ 'kubernetes.io/metadata.name': name });
    const peers: Record<string, any> = {
      controller: {
        namespace: 'ingress-nginx',
        namespaceLabels: ns('ingress-nginx'),
        podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' },
      },
      prometheus: {
        namespace: 'monitoring',
        namespaceLabels: ns('monitoring'),
        podLabels: { 'app.kubernetes.io/name': 'prometheus' },
      },
      app: { namespace: 'clicks', namespaceLabels: ns('clicks'), podLabels: { 'app.kubernetes.io/name': 'archiver' } },
      // Any other pod of the namespace, and a pod of another namespace that copies an app's labels.
      other: { namespace: 'clicks', namespaceLabels: ns('clicks'), podLabels: { 'app.kubernetes.io/name': 'debug' } },
      impostor: {
        namespace: 'tenant',
        namespaceLabels: ns('tenant'),
        podLabels: { 'app.kubernetes.io/name': 'ingest' },
      },
    };
    const reach: Record<string, Record<string, string>> = {};
    for (const w of objects.filter((o: any) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind))) {
      reach[w.metadata.name] = Object.fromEntries(
        Object.entries(peers).map(([peer, p]) => [peer, v.allowedPorts(objects, w, p).join(',')]),
      );
    }
    const app = { controller: '', prometheus: 'http', app: '', other: '', impostor: '' };
    const expected: Record<string, Record<string, string>> = {
      ingest: { ...app, controller: 'http' },
      gateway: { ...app, controller: 'http' },
      aggregator: app,
      archiver: app,
      'log-agent': app,
      questdb: { controller: '', prometheus: 'metrics', app: 'http,pg', other: '', impostor: '' },
    };
    if (byKind(objects, 'StatefulSet', 'redis')) {
      expected.redis = { controller: '', prometheus: '', app: 'redis', other: '', impostor: '' };
    }
    expect(reach).toEqual(expected);
    // A workload added later that no policy names is closed too (default-deny-ingress).
    const newcomer = clone(byKind(objects, 'Deployment', 'archiver'));
    newcomer.spec.template.metadata.labels = { 'app.kubernetes.io/name': 'newcomer' };
    expect(v.allowedPorts(objects, newcomer, peers.controller)).toEqual([]);
  });

  it('serves the public host over TLS only', () => {
    const ing = byKind(objects, 'Ingress', 'clicks');
    const hosts = ing.spec.rules.map((r: any) => r.host);
    expect(ing.spec.tls).toEqual([{ hosts, secretName: 'clicks-tls' }]);
    expect(ing.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
      'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
    });
  });

  it('spreads the pods of the workloads that run several over nodes and zones', () => {
    for (const name of MULTI_REPLICA) {
      const w = objects.find((o: any) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.name === name);
      const spread = w.spec.template.spec.topologySpreadConstraints ?? [];
      expect([name, spread.map((t: any) => t.topologyKey).sort()]).toEqual([
        name,
        ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'],
      ]);
      for (const t of spread) {
        expect(t).toMatchObject({ maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway' });
        expect(v.selects(t.labelSelector, w.spec.template.metadata.labels)).toBe(true);
      }
    }
  });

  it('gives aggregator workers their pod name as id and time for the handoff', () => {
    const agg = byKind(objects, 'StatefulSet', 'aggregator');
    const c = agg.spec.template.spec.containers[0];
    const env = v.effectiveEnv(objects, c, { name: 'aggregator-1', nodeName: 'n' });
    expect(loadConfig(env).worker.id).toBe('aggregator-1');
    const config = loadConfig(env);
    expect(agg.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(
      config.shutdownGraceMs + config.aggregation.leaseTtlMs,
    );
  });
});

describe('k8s: environments', () => {
  const [dev, prod] = overlays.map(([, r]) => r.objects);

  it('runs several pods of exactly the workloads it spreads (prod)', () => {
    const hpaMax = (name: string) =>
      prod.find((o: any) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === name)?.spec
        .maxReplicas ?? 1;
    const several = prod.filter(
      (o: any) =>
        ['Deployment', 'StatefulSet'].includes(o.kind) && Math.max(o.spec.replicas ?? 1, hpaMax(o.metadata.name)) > 1,
    );
    expect(several.map((w: any) => w.metadata.name).sort()).toEqual([...MULTI_REPLICA].sort());
  });

  it('has cert-manager issue the certificate in prod', () => {
    expect(byKind(prod, 'Ingress', 'clicks').metadata.annotations['cert-manager.io/cluster-issuer']).toBeTruthy();
  });

  it('runs Redis (AOF, volume) in dev and uses the external cluster in prod', () => {
    const redis = byKind(dev, 'StatefulSet', 'redis');
    expect(redis.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(redis.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(byKind(prod, 'StatefulSet', 'redis')).toBeUndefined();
    const ingest = byKind(prod, 'Deployment', 'ingest').spec.template.spec.containers[0];
    expect(ingest.env.find((e: any) => e.name === 'REDIS_URL').value).toContain('redis-cluster');
  });

  it('declares the same secret keys in base and prod', () => {
    const keys = (file: string) =>
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => l.split('=')[0]);
    expect(keys('k8s/overlays/prod/secrets.env')).toEqual(keys('k8s/base/secrets.env'));
  });

  it('generates the ConfigMap from a copy of config/defaults.env that is up to date', () => {
    // kustomize reads only files below the kustomization: refresh with `cp config/defaults.env k8s/base/config.env`.
    expect(readFileSync(join(ROOT, 'k8s/base/config.env'), 'utf8')).toBe(
      readFileSync(join(ROOT, 'config/defaults.env'), 'utf8'),
    );
  });
});

describe('k8s: schema validation rejects broken manifests', () => {
  const [, { objects }] = overlays[0];
  const ingest = byKind(objects, 'Deployment', 'ingest');

  it('accepts the real Deployment', () => {
    expect(v.validateObject(ingest)).toEqual([]);
  });

  it("reads a Secret value as the API server does: kustomize's line breaks in base64 are fine, other text is not", () => {
    const secret = objects.find((o: any) => o.kind === 'Secret');
    const long = Buffer.from('postgresql://clicks:a-long-enough-password@questdb:8812/qdb').toString('base64');
    const wrapped = { ...secret, data: { K: `${long.slice(0, 70)}\n${long.slice(70)}\n` } };
    expect(v.validateObject(wrapped)).toEqual([]);
    expect(v.validateObject({ ...secret, data: { K: 'not base64!' } }).join('\n')).toMatch(/must match format "byte"/);
  });

  it.each([
    [
      'an unknown field',
      (d: any) => (d.spec.template.spec.containers[0].imagePullPolcy = 'Always'),
      /unknown field.*imagePullPolcy/,
    ],
    ['a wrong type', (d: any) => (d.spec.replicas = '3'), /replicas must be integer/],
    ['a missing selector', (d: any) => delete d.spec.selector, /spec must have required property selector/],
    ['a wrong kind for the apiVersion', (d: any) => (d.apiVersion = 'v1'), /no schema/],
  ])('rejects %s', (_, breakIt, message) => {
    const broken = clone(ingest);
    breakIt(broken);
    expect(v.validateObject(broken).join('\n')).toMatch(message);
  });
});

describe('k8s: consistency checks reject mismatches', () => {
  const [, { objects }] = overlays[0];
  const edit = (change: (objs: any[]) => void) => {
    const objs = clone(objects);
    change(objs);
    return objs;
  };
  const container = (objs: any[], kind: string, name: string) =>
    byKind(objs, kind, name).spec.template.spec.containers[0];
  const configMap = (objs: any[]) =>
    objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('clicks-config-'));

  it.each([
    [
      'an env var the apps do not read',
      (o: any[]) => container(o, 'Deployment', 'gateway').env.push({ name: 'GATEWAY_PROT', value: '1' }),
      /env GATEWAY_PROT is not a variable/,
    ],
    [
      'a probe path no controller serves',
      (o: any[]) => (container(o, 'Deployment', 'ingest').readinessProbe.httpGet.path = '/healthz'),
      /probe path \/healthz is not a route of apps\/ingest/,
    ],
    [
      'a container port other than the app port',
      (o: any[]) => (container(o, 'StatefulSet', 'aggregator').ports[0].containerPort = 8080),
      /port http 8080 is not AGGREGATOR_PORT=3002/,
    ],
  ])('rejects %s', (_, change, message) => {
    expect(v.checkApps(edit(change)).errors.join('\n')).toMatch(message);
  });

  it.each([
    [
      'a ConfigMap that does not exist',
      (o: any[]) => (container(o, 'Deployment', 'ingest').envFrom[0].configMapRef.name = 'clicks-config'),
      /envFrom ConfigMap clicks-config missing/,
    ],
    [
      'a Service selecting no pods',
      (o: any[]) => (byKind(o, 'Service', 'gateway').spec.selector = { 'app.kubernetes.io/name': 'gw' }),
      /Service\/gateway: selector matches no workload/,
    ],
    [
      'an Ingress backend port the Service lacks',
      (o: any[]) => (byKind(o, 'Ingress', 'clicks').spec.rules[0].http.paths[0].backend.service.port = { number: 80 }),
      /backend ingest:80 missing/,
    ],
    [
      'a NetworkPolicy that lets in an app no workload is',
      (o: any[]) =>
        byKind(
          o,
          'NetworkPolicy',
          'questdb-from-apps',
        ).spec.ingress[0].from[0].podSelector.matchExpressions[0].values.push('gatway'),
      /NetworkPolicy\/questdb-from-apps: no workload is labelled app.kubernetes.io\/name=gatway/,
    ],
    [
      'a NetworkPolicy opening a port its pods do not have',
      (o: any[]) => byKind(o, 'NetworkPolicy', 'questdb-from-apps').spec.ingress[0].ports.push({ port: 'ilp' }),
      /NetworkPolicy\/questdb-from-apps: port ilp is not a port of the pods it guards/,
    ],
    [
      'a fixed replica count on a workload the HPA scales',
      (o: any[]) => (byKind(o, 'Deployment', 'gateway').spec.replicas = 3),
      /Deployment\/gateway: sets replicas, but HorizontalPodAutoscaler\/gateway owns them/,
    ],
    [
      'an Ingress host without a certificate',
      (o: any[]) => delete byKind(o, 'Ingress', 'clicks').spec.tls,
      /Ingress\/clicks: host clicks.example.com has no certificate/,
    ],
    [
      'a credential left to the ConfigMap',
      (o: any[]) => {
        configMap(o).data.QUESTDB_PG_PASSWORD = 'quest';
        const c = container(o, 'Deployment', 'ingest');
        c.env = c.env.filter((e: any) => e.name !== 'QUESTDB_PG_PASSWORD');
      },
      /Deployment\/ingest: container ingest env QUESTDB_PG_PASSWORD \(a credential\) comes from a ConfigMap, not a Secret/,
    ],
    [
      'a credential written into the manifest',
      (o: any[]) => {
        const e = container(o, 'StatefulSet', 'questdb').env.find((x: any) => x.name === 'QDB_PG_PASSWORD');
        delete e.valueFrom;
        e.value = 'quest';
      },
      /StatefulSet\/questdb: container questdb env QDB_PG_PASSWORD \(a credential\) comes from a literal value/,
    ],
    [
      "an app's QuestDB password written into the manifest",
      (o: any[]) => {
        const e = container(o, 'StatefulSet', 'aggregator').env.find((x: any) => x.name === 'QUESTDB_PG_PASSWORD');
        delete e.valueFrom;
        e.value = 'quest';
      },
      /StatefulSet\/aggregator: container aggregator env QUESTDB_PG_PASSWORD \(a credential\) comes from a literal value/,
    ],
    [
      'a QuestDB URL with a password in the ConfigMap',
      (o: any[]) => (configMap(o).data.QUESTDB_PG_URL = 'postgresql://admin:quest@questdb:8812/qdb'),
      /StatefulSet\/aggregator: container aggregator env QUESTDB_PG_URL carries a password: credentials go in QUESTDB_PG_USER\/QUESTDB_PG_PASSWORD, from a Secret/,
    ],
    [
      "QuestDB's password spliced into QUESTDB_PG_URL",
      (o: any[]) =>
        container(o, 'Deployment', 'gateway').env.push({
          name: 'QUESTDB_PG_URL',
          value: 'postgresql://$(QUESTDB_PG_USER):$(QUESTDB_PG_PASSWORD)@questdb:8812/qdb',
        }),
      /Deployment\/gateway: container gateway env QUESTDB_PG_URL carries a password/,
    ],
    [
      "Redis's password spliced into REDIS_URL",
      (o: any[]) =>
        (container(o, 'Deployment', 'ingest').env.find((x: any) => x.name === 'REDIS_URL').value =
          'redis://:$(REDIS_PASSWORD)@redis:6379'),
      /Deployment\/ingest: container ingest env REDIS_URL carries a password: credentials go in REDIS_PASSWORD, from a Secret/,
    ],
    [
      'a URL with a password even from a Secret',
      (o: any[]) => {
        const secret = o.find((x: any) => x.kind === 'Secret' && x.metadata.name.startsWith('clicks-secrets-'));
        secret.data.REDIS_URL = Buffer.from('redis://:pw@redis:6379').toString('base64');
        const e = container(o, 'DaemonSet', 'log-agent').env.find((x: any) => x.name === 'REDIS_URL');
        delete e.value;
        e.valueFrom = { secretKeyRef: { name: secret.metadata.name, key: 'REDIS_URL' } };
      },
      /DaemonSet\/log-agent: container log-agent env REDIS_URL carries a password/,
    ],
    [
      'a NetworkPolicy peer that selects no pod of the namespace',
      (o: any[]) =>
        (byKind(o, 'NetworkPolicy', 'questdb-from-apps').spec.ingress[0].from[0].podSelector = {
          matchLabels: { app: 'ingest' },
        }),
      /NetworkPolicy\/questdb-from-apps: a peer's podSelector matches no workload/,
    ],
    [
      'a $(VAR) used before it is defined',
      (o: any[]) =>
        container(o, 'Deployment', 'ingest').env.unshift(
          { name: 'BACKUP_URL', value: 'redis://:$(BACKUP_PASSWORD)@r:6379' },
          { name: 'BACKUP_PASSWORD', value: 'x' },
        ),
      /env BACKUP_URL uses \$\(BACKUP_PASSWORD\) before it is defined/,
    ],
  ])('rejects %s', (_, change, message) => {
    expect(v.checkReferences(edit(change)).join('\n')).toMatch(message);
  });

  it('reads the health routes from the controllers', () => {
    for (const app of ['ingest', 'aggregator', 'gateway']) {
      expect([...v.appRoutes(app)]).toEqual(expect.arrayContaining(['/health/live', '/health/ready']));
    }
  });
});

describe('Dockerfiles', () => {
  const apps = readdirSync(join(ROOT, 'apps')).filter((a) => existsSync(join(ROOT, 'apps', a, 'Dockerfile')));
  const defaults = readFileSync(join(ROOT, 'config/defaults.env'), 'utf8');
  const { scripts, engines } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
    engines: { node: string };
  };

  it('exist for every app', () => {
    expect(apps).toEqual(expect.arrayContaining(['ingest', 'aggregator', 'gateway', 'log-agent']));
  });

  it.each(apps)('%s: multi-stage, production deps, non-root, runs its entry point on its port', (app) => {
    const text = readFileSync(join(ROOT, 'apps', app, 'Dockerfile'), 'utf8');
    expect(text.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/^RUN npm ci --omit=dev/m);
    expect(text).toMatch(/^RUN npm run build$/m);
    const user = /^USER (\S+)/m.exec(text)?.[1];
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const command = ['node', ...nodeFlags(app), `dist/apps/${app}/src/main.js`];
    expect(text).toContain(`CMD ${JSON.stringify(command).replace(/","/g, '", "')}`);
    expect(scripts[`start:${app}`]).toBe(command.join(' '));
    const port = new RegExp(`^${app.toUpperCase().replace(/-/g, '_')}_PORT=(\\d+)$`, 'm').exec(defaults)?.[1];
    expect(text).toMatch(new RegExp(`^EXPOSE ${port}$`, 'm'));
  });

  it('build and run on one supported Node LTS (22: Node 20 reached end of life on 2026-04-30), the one engines, .nvmrc name', () => {
    const bases = apps.flatMap((app) =>
      [...readFileSync(join(ROOT, 'apps', app, 'Dockerfile'), 'utf8').matchAll(/^FROM (\S+)/gm)].map((m) => m[1]),
    );
    const majors = new Set(bases.map((b) => /^node:(\d+)-bookworm-slim$/.exec(b)?.[1]));
    expect([...majors]).toEqual(['22']);
    // engines names the versions the project supports: from that LTS on (a production dependency, content-disposition
    // 3 under @fastify/static, requires Node 22 too).
    expect(engines.node).toBe('>=22');
    expect(readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim()).toBe('22');
  });
});

describe('store URLs', () => {
  const container = (env: Record<string, string>) => ({
    name: 'app',
    env: Object.entries(env).map(([name, value]) => ({ name, value })),
  });

  it.each([
    ['without credentials', { REDIS_URL: 'redis://redis:6379', QUESTDB_PG_URL: 'postgresql://questdb:8812/qdb' }, []],
    ['with a user only', { QUESTDB_PG_URL: 'postgresql://clicks@questdb:8812/qdb' }, []],
    [
      'with a password',
      { QUESTDB_PG_URL: 'postgresql://clicks:pw@questdb:8812/qdb' },
      ['env QUESTDB_PG_URL carries a password: credentials go in QUESTDB_PG_USER/QUESTDB_PG_PASSWORD, from a Secret'],
    ],
    [
      'with a password only',
      { REDIS_URL: 'redis://:pw@redis:6379' },
      ['env REDIS_URL carries a password: credentials go in REDIS_PASSWORD, from a Secret'],
    ],
    ['that are not URLs', { REDIS_URL: 'redis 6379' }, ['env REDIS_URL is not a URL']],
  ])('%s', (_name, env, errors) => {
    expect(v.passwordsInUrls([], container(env))).toEqual(errors);
  });
});

describe('$(VAR) references', () => {
  const container = (env: [string, string][], args: string[] = []) => ({
    name: 'app',
    env: env.map(([name, value]) => ({ name, value })),
    args,
  });

  it.each([
    [
      'defined before use',
      [
        ['PW', 'x'],
        ['URL', 'redis://:$(PW)@r'],
      ],
      [],
      [],
    ],
    [
      'used before it is defined (what the real kustomize made of a patched REDIS_URL)',
      [
        ['URL', 'redis://:$(PW)@r'],
        ['PW', 'x'],
      ],
      [],
      ['env URL uses $(PW) before it is defined'],
    ],
    ['args may use any of the container', [['PW', 'x']], ['--pass', '$(PW)'], []],
    ['args with an unknown one', [], ['$(NOPE)'], ['command/args use $(NOPE), which the container does not define']],
  ])('%s', (_name, env, args, errors) => {
    expect(v.undefinedVarRefs([], container(env as [string, string][], args))).toEqual(errors);
  });
});
