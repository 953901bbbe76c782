'use strict';
// Offline validation of the rendered k8s/ overlays: every object against the Kubernetes JSON schemas
// (kubernetes-models), with unknown fields rejected as `kubectl apply --validate=strict` does; then the
// references between objects (ConfigMaps, Secrets, Services, probe ports, selectors) and between the manifests and
// the apps (env vars in config/defaults.env, health routes in the controllers, ports, Dockerfiles).
// Usage: node scripts/k8s-validate.js [overlay dir ...]   (default: k8s/overlays/dev and k8s/overlays/prod)
const fs = require('node:fs');
const path = require('node:path');
const { runValidateFunc } = require('@kubernetes-models/validate');
const { execFileSync } = require('node:child_process');
const YAML = require('yaml');

/** Renders a kustomization with the real kustomize (`kubectl kustomize`, v5), as `kubectl apply -k` would. */
function render(dir) {
  let out;
  try {
    out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    if (e.code === 'ENOENT') throw new Error('kubectl (with its built-in kustomize) is required to render k8s/');
    throw new Error(`kubectl kustomize ${dir}: ${String(e.stderr || e.message).trim()}`);
  }
  return YAML.parseAllDocuments(out)
    .map((d) => d.toJS())
    .filter(Boolean);
}

/** KEY=VALUE lines of an env file (as kustomize's configMapGenerator reads them); comments and blanks skipped. */
function parseEnvFile(file) {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((raw) => raw.replace(/\r$/, '').trimStart())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
}

/** `registry/name:tag@digest` into its parts. */
function splitImage(image) {
  const at = image.indexOf('@');
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const colon = withoutDigest.lastIndexOf(':');
  const hasTag = colon > withoutDigest.lastIndexOf('/');
  return {
    name: hasTag ? withoutDigest.slice(0, colon) : withoutDigest,
    tag: hasTag ? withoutDigest.slice(colon + 1) : undefined,
    digest: at >= 0 ? image.slice(at + 1) : undefined,
  };
}

const ROOT = path.resolve(__dirname, '..');
const OVERLAYS = ['k8s/overlays/dev', 'k8s/overlays/prod'];
const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
const MODELS_DIR = path.dirname(require.resolve('kubernetes-models'));

/** Apps the manifests deploy whose source is still being written: their routes cannot be checked yet. */
const PENDING_APPS = ['log-agent'];

function schemaValidator(apiVersion, kind) {
  let models;
  try {
    models = require(`kubernetes-models/${apiVersion}`);
  } catch {
    return undefined;
  }
  const model = models[kind];
  const schemaName = model && Object.keys(models).find((k) => k.startsWith('IoK8s') && models[k] === model);
  // The compiled schemas are not in the package's exports map: load them by file.
  return schemaName && require(path.join(MODELS_DIR, '_schemas', `${schemaName}.js`)).validate;
}

/** Wraps an object so that every field the schema validator reads is recorded; fields never read are unknown. */
function tracked(value, at, seen) {
  if (value === null || typeof value !== 'object') return value;
  return new Proxy(value, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof key !== 'string' || !Object.hasOwn(target, key)) return v;
      seen.add(`${at}/${key}`);
      return tracked(v, `${at}/${key}`, seen);
    },
  });
}

function unreadFields(value, at, seen, out) {
  if (value === null || typeof value !== 'object') return out;
  for (const [key, v] of Object.entries(value)) {
    const p = `${at}/${key}`;
    if (!seen.has(p)) out.push(p);
    else unreadFields(v, p, seen, out);
  }
  return out;
}

/**
 * kustomize wraps a long base64 Secret value at 70 columns; the API server's decoder (Go's base64) skips line breaks,
 * the schema's "byte" format does not: validate the value as the API server reads it.
 */
function unwrapSecretData(obj) {
  if (obj?.kind !== 'Secret' || !obj.data) return obj;
  const data = Object.fromEntries(Object.entries(obj.data).map(([k, v]) => [k, String(v).replace(/[\r\n]/g, '')]));
  return { ...obj, data };
}

/** Schema errors of one object, as messages naming the field; [] when it is valid. */
function validateObject(input) {
  const obj = unwrapSecretData(input);
  const name = `${obj?.kind}/${obj?.metadata?.name}`;
  const validate = obj && schemaValidator(obj.apiVersion, obj.kind);
  if (!validate) return [`${name}: no schema for apiVersion ${obj?.apiVersion} kind ${obj?.kind}`];
  const seen = new Set();
  const errors = [];
  try {
    runValidateFunc(validate, tracked(obj, '', seen));
  } catch (e) {
    errors.push(`${name}: ${e.message}`);
  }
  for (const p of unreadFields(obj, '', seen, [])) errors.push(`${name}: unknown field data${p}`);
  return errors;
}

const decode = (b64) => Buffer.from(b64, 'base64').toString('utf8');
const find = (objects, kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name);

function sourceData(objects, kind, name) {
  const o = find(objects, kind, name);
  if (!o) return undefined;
  return kind === 'Secret'
    ? Object.fromEntries(Object.entries(o.data ?? {}).map(([k, v]) => [k, decode(v)]))
    : { ...o.data };
}

/**
 * The environment a container sees, as the kubelet builds it: envFrom sources, then env in order with $(VAR)
 * expanded from what is defined before; field refs take the given pod name and node name.
 */
function effectiveEnv(objects, container, pod = { name: 'pod-0', nodeName: 'node-1' }) {
  const env = {};
  for (const from of container.envFrom ?? []) {
    const [kind, ref] = from.configMapRef ? ['ConfigMap', from.configMapRef] : ['Secret', from.secretRef];
    Object.assign(env, sourceData(objects, kind, ref.name) ?? {});
  }
  const fields = { 'metadata.name': pod.name, 'spec.nodeName': pod.nodeName };
  for (const e of container.env ?? []) {
    const vf = e.valueFrom;
    if (vf?.fieldRef) env[e.name] = fields[vf.fieldRef.fieldPath] ?? '';
    else if (vf?.secretKeyRef) env[e.name] = sourceData(objects, 'Secret', vf.secretKeyRef.name)?.[vf.secretKeyRef.key];
    else if (vf?.configMapKeyRef) {
      env[e.name] = sourceData(objects, 'ConfigMap', vf.configMapKeyRef.name)?.[vf.configMapKeyRef.key];
    } else env[e.name] = (e.value ?? '').replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, n) => env[n] ?? m);
  }
  return env;
}

const workloads = (objects) => objects.filter((o) => POD_TEMPLATE_KINDS.has(o.kind));
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

/** A LabelSelector (matchLabels and matchExpressions) against labels; an empty selector selects everything. */
function selects(selector, labels = {}) {
  const exprOk = ({ key, operator, values = [] }) =>
    operator === 'In'
      ? values.includes(labels[key])
      : operator === 'NotIn'
        ? !values.includes(labels[key])
        : operator === 'Exists'
          ? key in labels
          : operator === 'DoesNotExist' && !(key in labels);
  return matches(selector?.matchLabels, labels) && (selector?.matchExpressions ?? []).every(exprOk);
}

/**
 * The ports of a workload's pods that a peer may connect to, as Kubernetes decides it: a pod no Ingress policy selects
 * takes everything (['*']); otherwise the union of the rules that let the peer in. A peer is
 * { namespace, namespaceLabels, podLabels }; the policies are those of the objects (all in one namespace).
 */
function allowedPorts(objects, workload, peer) {
  const labels = workload.spec.template.metadata?.labels ?? {};
  const ports = workload.spec.template.spec.containers.flatMap((c) => c.ports ?? []);
  const policies = objects.filter(
    (o) =>
      o.kind === 'NetworkPolicy' &&
      selects(o.spec.podSelector, labels) &&
      (o.spec.policyTypes ?? ['Ingress']).includes('Ingress'),
  );
  if (policies.length === 0) return ['*'];
  const sameNamespace = peer.namespace === workload.metadata.namespace;
  const peerOk = (p) =>
    p.ipBlock
      ? false // addresses, not pods: not modelled
      : p.namespaceSelector
        ? selects(p.namespaceSelector, peer.namespaceLabels) && selects(p.podSelector, peer.podLabels)
        : sameNamespace && selects(p.podSelector, peer.podLabels);
  const allowed = new Set();
  for (const rule of policies.flatMap((o) => o.spec.ingress ?? [])) {
    if (rule.from?.length && !rule.from.some(peerOk)) continue;
    if (!rule.ports?.length) return ['*'];
    for (const rp of rule.ports) {
      for (const cp of ports.filter((x) => x.name === rp.port || x.containerPort === rp.port)) allowed.add(cp.name);
    }
  }
  return [...allowed].sort();
}
const probesOf = (c) => [c.readinessProbe, c.livenessProbe, c.startupProbe].filter(Boolean);

/** The app a container runs: its image is <registry>/clicks/<app> and apps/<app> is (or will be) its source. */
function appOf(container) {
  const m = /(?:^|\/)clicks\/([a-z-]+)$/.exec(splitImage(container.image).name);
  return m?.[1];
}

/** The routes an app serves, from its controllers' @Controller('x') and @Get('y') decorators. */
function appRoutes(app, root = ROOT) {
  const dir = path.join(root, 'apps', app, 'src');
  const routes = new Set();
  for (const file of fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.ts')) : []) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const prefix = /@Controller\(\s*'([^']*)'\s*\)/.exec(text)?.[1];
    if (prefix === undefined) continue;
    for (const [, sub] of text.matchAll(/@Get\(\s*(?:'([^']*)')?\s*\)/g)) {
      routes.add(`/${[prefix, sub].filter(Boolean).join('/')}`);
    }
  }
  return routes;
}

/**
 * `$(VAR)` references the kubelet would leave as literal text: in env, only variables defined before (envFrom, then
 * earlier env entries); in command and args, any of the container's variables.
 */
function undefinedVarRefs(objects, c) {
  const refs = (text) => [...String(text ?? '').matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((m) => m[1]);
  const defined = new Set();
  for (const from of c.envFrom ?? []) {
    const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
    const ref = from.configMapRef ?? from.secretRef;
    for (const k of Object.keys(sourceData(objects, kind, ref.name) ?? {})) defined.add(`${from.prefix ?? ''}${k}`);
  }
  const errors = [];
  for (const e of c.env ?? []) {
    for (const v of refs(e.value)) if (!defined.has(v)) errors.push(`env ${e.name} uses $(${v}) before it is defined`);
    defined.add(e.name);
  }
  for (const v of [...(c.command ?? []), ...(c.args ?? [])].flatMap(refs)) {
    if (!defined.has(v)) errors.push(`command/args use $(${v}), which the container does not define`);
  }
  return errors;
}

/** Variables that hold credentials: wherever a container ends up with one that is not empty, a Secret must set it. */
const CREDENTIAL_VARS = ['ADMIN_TOKEN', 'IMPRESSION_KEYS', 'REDIS_PASSWORD', 'QUESTDB_PG_PASSWORD', 'QDB_PG_PASSWORD'];

/** Where each variable of a container finally comes from: 'ConfigMap', 'Secret', 'value' or 'field'. */
function envSources(objects, c) {
  const sources = {};
  for (const from of c.envFrom ?? []) {
    const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
    const ref = from.configMapRef ?? from.secretRef;
    for (const k of Object.keys(sourceData(objects, kind, ref.name) ?? {})) sources[`${from.prefix ?? ''}${k}`] = kind;
  }
  for (const e of c.env ?? []) {
    const vf = e.valueFrom;
    sources[e.name] = vf?.secretKeyRef ? 'Secret' : vf?.configMapKeyRef ? 'ConfigMap' : vf ? 'field' : 'value';
  }
  return sources;
}

/** Credentials a container takes from a ConfigMap or a literal value instead of a Secret. */
function credentialsOutsideSecrets(objects, c) {
  const env = effectiveEnv(objects, c);
  const sources = envSources(objects, c);
  return CREDENTIAL_VARS.filter((n) => env[n] && sources[n] !== 'Secret').map(
    (n) =>
      `env ${n} (a credential) comes from a ${sources[n] === 'value' ? 'literal value' : sources[n]}, not a Secret`,
  );
}

/** Store addresses the apps read; their credentials are variables of their own (REDIS_PASSWORD, QUESTDB_PG_*). */
const URL_VARS = ['REDIS_URL', 'QUESTDB_PG_URL'];

/**
 * Passwords spliced into a store's URL: they belong in their own Secret-backed variables, which the apps read as they
 * are (any characters, no percent-encoding, no $(VAR) order to get right, nothing stored twice).
 */
function passwordsInUrls(objects, c) {
  const env = effectiveEnv(objects, c);
  const errors = [];
  for (const name of URL_VARS.filter((n) => env[n])) {
    let u;
    try {
      u = new URL(env[name]);
    } catch {
      errors.push(`env ${name} is not a URL`);
      continue;
    }
    if (u.password !== '') {
      const own = name === 'REDIS_URL' ? 'REDIS_PASSWORD' : 'QUESTDB_PG_USER/QUESTDB_PG_PASSWORD';
      errors.push(`env ${name} carries a password: credentials go in ${own}, from a Secret`);
    }
  }
  return errors;
}

function checkReferences(objects) {
  const errors = [];
  for (const w of workloads(objects)) {
    const name = `${w.kind}/${w.metadata.name}`;
    const spec = w.spec.template.spec;
    if (!matches(w.spec.selector.matchLabels, w.spec.template.metadata?.labels)) {
      errors.push(`${name}: selector does not match its pod template labels`);
    }
    for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
      for (const from of c.envFrom ?? []) {
        const [kind, ref] = from.configMapRef ? ['ConfigMap', from.configMapRef] : ['Secret', from.secretRef];
        if (!ref.optional && !find(objects, kind, ref.name))
          errors.push(`${name}: envFrom ${kind} ${ref.name} missing`);
      }
      for (const e of c.env ?? []) {
        const [kind, ref] = e.valueFrom?.secretKeyRef
          ? ['Secret', e.valueFrom.secretKeyRef]
          : ['ConfigMap', e.valueFrom?.configMapKeyRef];
        if (!ref || ref.optional) continue;
        if (sourceData(objects, kind, ref.name)?.[ref.key] === undefined) {
          errors.push(`${name}: env ${e.name} refers to missing ${kind} ${ref.name} key ${ref.key}`);
        }
      }
      errors.push(...undefinedVarRefs(objects, c).map((e) => `${name}: container ${c.name} ${e}`));
      errors.push(...credentialsOutsideSecrets(objects, c).map((e) => `${name}: container ${c.name} ${e}`));
      errors.push(...passwordsInUrls(objects, c).map((e) => `${name}: container ${c.name} ${e}`));
      const portNames = new Set((c.ports ?? []).map((p) => p.name));
      const portNumbers = new Set((c.ports ?? []).map((p) => p.containerPort));
      for (const probe of probesOf(c)) {
        const port = (probe.httpGet ?? probe.tcpSocket)?.port;
        if (port !== undefined && !portNames.has(port) && !portNumbers.has(port)) {
          errors.push(`${name}: container ${c.name} probe uses port ${port} it does not declare`);
        }
      }
    }
  }
  for (const s of objects.filter((o) => o.kind === 'Service')) {
    const pods = workloads(objects).filter((w) => matches(s.spec.selector, w.spec.template.metadata?.labels));
    if (pods.length === 0) errors.push(`Service/${s.metadata.name}: selector matches no workload`);
    for (const p of s.spec.ports) {
      const ok = pods.some((w) =>
        w.spec.template.spec.containers.some((c) =>
          (c.ports ?? []).some((cp) => cp.name === p.targetPort || cp.containerPort === (p.targetPort ?? p.port)),
        ),
      );
      if (pods.length && !ok) errors.push(`Service/${s.metadata.name}: targetPort ${p.targetPort} not on its pods`);
    }
  }
  for (const ing of objects.filter((o) => o.kind === 'Ingress')) {
    for (const rule of ing.spec.rules ?? []) {
      if (!(ing.spec.tls ?? []).some((t) => t.secretName && (t.hosts ?? []).includes(rule.host))) {
        errors.push(`Ingress/${ing.metadata.name}: host ${rule.host ?? '*'} has no certificate (spec.tls, secretName)`);
      }
      for (const { backend } of rule.http?.paths ?? []) {
        const svc = find(objects, 'Service', backend.service.name);
        const port = backend.service.port;
        if (!svc?.spec.ports.some((p) => p.name === port.name || p.port === port.number)) {
          errors.push(
            `Ingress/${ing.metadata.name}: backend ${backend.service.name}:${port.name ?? port.number} missing`,
          );
        }
      }
    }
  }
  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const target = find(objects, hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
    if (!target) errors.push(`HorizontalPodAutoscaler/${hpa.metadata.name}: scale target missing`);
    // Every `kubectl apply` would reset the count the HPA chose.
    if (target?.spec.replicas !== undefined) {
      errors.push(
        `${target.kind}/${target.metadata.name}: sets replicas, but HorizontalPodAutoscaler/${hpa.metadata.name} owns them`,
      );
    }
  }
  for (const np of objects.filter((o) => o.kind === 'NetworkPolicy')) {
    const name = `NetworkPolicy/${np.metadata.name}`;
    const guarded = workloads(objects).filter((w) => selects(np.spec.podSelector, w.spec.template.metadata?.labels));
    if (guarded.length === 0) errors.push(`${name}: podSelector matches no workload`);
    const ports = guarded.flatMap((w) => w.spec.template.spec.containers.flatMap((c) => c.ports ?? []));
    for (const rule of np.spec.ingress ?? []) {
      for (const p of rule.ports ?? []) {
        if (!ports.some((cp) => cp.name === p.port || cp.containerPort === p.port)) {
          errors.push(`${name}: port ${p.port} is not a port of the pods it guards`);
        }
      }
      // Peers in this namespace must be pods it runs; those of other namespaces (ingress controller, Prometheus)
      // are the cluster's, and docs/kubernetes.md says which labels they need.
      for (const peer of (rule.from ?? []).filter((x) => x.podSelector && !x.namespaceSelector)) {
        for (const expr of peer.podSelector.matchExpressions ?? []) {
          for (const value of expr.operator === 'In' ? expr.values : []) {
            if (!workloads(objects).some((w) => w.spec.template.metadata?.labels?.[expr.key] === value)) {
              errors.push(`${name}: no workload is labelled ${expr.key}=${value}`);
            }
          }
        }
        if (!workloads(objects).some((w) => selects(peer.podSelector, w.spec.template.metadata?.labels))) {
          errors.push(`${name}: a peer's podSelector matches no workload`);
        }
      }
    }
  }
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const sel = pdb.spec.selector?.matchLabels;
    if (!workloads(objects).some((w) => matches(sel, w.spec.template.metadata?.labels))) {
      errors.push(`PodDisruptionBudget/${pdb.metadata.name}: selector matches no workload`);
    }
  }
  return errors;
}

/** Manifests against the apps: env names, probe routes, ports and Dockerfiles of every app container. */
function checkApps(objects, root = ROOT) {
  const errors = [];
  const warnings = [];
  const declared = new Set(parseEnvFile(path.join(root, 'config', 'defaults.env')).map(([k]) => k));
  for (const w of workloads(objects)) {
    for (const c of w.spec.template.spec.containers) {
      const app = appOf(c);
      if (!app) continue;
      const where = `${w.kind}/${w.metadata.name} container ${c.name}`;
      if (!fs.existsSync(path.join(root, 'apps', app, 'Dockerfile')))
        errors.push(`${where}: no apps/${app}/Dockerfile`);
      const env = effectiveEnv(objects, c);
      // A variable only used to build another one ($(REDIS_PASSWORD) in REDIS_URL) is not read by the app.
      const composedFrom = new Set(
        (c.env ?? []).flatMap((e) => [...(e.value ?? '').matchAll(/\$\((\w+)\)/g)]).map((m) => m[1]),
      );
      for (const name of Object.keys(env)) {
        if (declared.has(name) || composedFrom.has(name)) continue;
        errors.push(`${where}: env ${name} is not a variable of the apps (config/defaults.env)`);
      }
      const portVar = `${app.toUpperCase().replace(/-/g, '_')}_PORT`;
      if (declared.has(portVar)) {
        const http = (c.ports ?? []).find((p) => p.name === 'http');
        if (!http || String(http.containerPort) !== env[portVar]) {
          errors.push(`${where}: port http ${http?.containerPort} is not ${portVar}=${env[portVar]}`);
        }
      } else if ((c.ports ?? []).length) {
        errors.push(`${where}: declares ports but the apps have no ${portVar}`);
      }
      if (PENDING_APPS.includes(app) && !fs.existsSync(path.join(root, 'apps', app, 'src'))) {
        warnings.push(`${where}: apps/${app}/src does not exist yet`);
        continue;
      }
      const routes = appRoutes(app, root);
      for (const probe of probesOf(c)) {
        if (probe.httpGet && !routes.has(probe.httpGet.path)) {
          errors.push(`${where}: probe path ${probe.httpGet.path} is not a route of apps/${app}`);
        }
      }
    }
  }
  return { errors, warnings };
}

/** Renders and checks one overlay: { objects, errors, warnings }. */
function checkOverlay(dir, root = ROOT) {
  const objects = render(path.resolve(root, dir));
  const apps = checkApps(objects, root);
  return {
    objects,
    errors: [...objects.flatMap(validateObject), ...checkReferences(objects), ...apps.errors],
    warnings: apps.warnings,
  };
}

module.exports = {
  render,
  undefinedVarRefs,
  credentialsOutsideSecrets,
  passwordsInUrls,
  allowedPorts,
  selects,
  validateObject,
  effectiveEnv,
  checkReferences,
  checkApps,
  checkOverlay,
  appRoutes,
  appOf,
  OVERLAYS,
  PENDING_APPS,
};

if (require.main === module) {
  let failed = false;
  for (const dir of process.argv.length > 2 ? process.argv.slice(2) : OVERLAYS) {
    try {
      const { objects, errors, warnings } = checkOverlay(dir);
      for (const w of warnings) console.warn(`warning: ${dir}: ${w}`);
      for (const e of errors) console.error(`error: ${dir}: ${e}`);
      console.log(`${dir}: ${objects.length} objects, ${errors.length} errors`);
      failed = failed || errors.length > 0;
    } catch (e) {
      console.error(`error: ${dir}: ${e.message}`);
      failed = true;
    }
  }
  process.exit(failed ? 1 : 0);
}
