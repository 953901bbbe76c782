'use strict';
// A small `kustomize build`: exactly the features k8s/ uses, with kustomize's semantics, so CI can render the
// overlays offline (no kustomize or kubectl binary is available). Anything else in a kustomization.yaml is an
// error rather than silently ignored. Supported: resources (files and kustomization directories), namespace,
// labels (includeSelectors: false), configMapGenerator / secretGenerator (envs, literals, behavior
// create|merge|replace, the content-hash name suffix and the rewriting of references to it), images, and patches
// (strategic merge, target taken from the patch's kind and name).
// Usage: node scripts/k8s-render.js k8s/overlays/dev  > rendered.yaml
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const SUPPORTED_FIELDS = new Set([
  'apiVersion',
  'kind',
  'resources',
  'namespace',
  'labels',
  'configMapGenerator',
  'secretGenerator',
  'images',
  'patches',
]);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass']);
const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

class KustomizeError extends Error {
  constructor(where, message) {
    super(`${where}: ${message}`);
    this.name = 'KustomizeError';
  }
}

// Generated objects remember their unsuffixed name and whether they get the hash suffix.
const generated = new WeakMap();

const idOf = (o) => `${o.kind}/${o.metadata?.name}`;

function readDocs(file) {
  return YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => {
    if (d.errors.length) throw new KustomizeError(file, d.errors[0].message);
    return d.toJS();
  });
}

/** Emulates kustomize's default load restriction: files a kustomization reads must lie in or below its directory. */
function fileInRoot(dir, rel, what) {
  const file = path.resolve(dir, rel);
  if (file !== dir && !file.startsWith(dir + path.sep)) {
    throw new KustomizeError(dir, `${what} '${rel}' is not in or below the kustomization directory`);
  }
  if (!fs.existsSync(file)) throw new KustomizeError(dir, `${what} '${rel}' does not exist`);
  return file;
}

function loadKustomization(dir) {
  const name = KUSTOMIZATION_FILES.find((f) => fs.existsSync(path.join(dir, f)));
  if (!name) throw new KustomizeError(dir, 'no kustomization.yaml');
  const k = YAML.parse(fs.readFileSync(path.join(dir, name), 'utf8')) ?? {};
  for (const field of Object.keys(k)) {
    if (!SUPPORTED_FIELDS.has(field)) throw new KustomizeError(dir, `unsupported kustomization field '${field}'`);
  }
  return k;
}

/** kustomize's env-file format: KEY=VALUE lines, '#' comments and blank lines skipped, value kept verbatim. */
function parseEnvFile(file) {
  const pairs = [];
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.replace(/\r$/, '').trimStart();
      if (line === '' || line.startsWith('#')) return;
      const eq = line.indexOf('=');
      if (eq <= 0) throw new KustomizeError(file, `line ${i + 1} is not KEY=VALUE`);
      pairs.push([line.slice(0, eq), line.slice(eq + 1)]);
    });
  return pairs;
}

function generatorPairs(dir, gen) {
  const pairs = [];
  for (const env of gen.envs ?? []) pairs.push(...parseEnvFile(fileInRoot(dir, env, 'env file')));
  for (const literal of gen.literals ?? []) {
    const eq = literal.indexOf('=');
    if (eq <= 0) throw new KustomizeError(dir, `literal '${literal}' is not KEY=VALUE`);
    pairs.push([literal.slice(0, eq), literal.slice(eq + 1)]);
  }
  const data = {};
  for (const [key, value] of pairs) {
    if (key in data) throw new KustomizeError(dir, `generator ${gen.name}: key ${key} is given twice`);
    data[key] = value;
  }
  return data;
}

function runGenerators(dir, k, resources) {
  const gens = [
    ...(k.configMapGenerator ?? []).map((g) => ['ConfigMap', g]),
    ...(k.secretGenerator ?? []).map((g) => ['Secret', g]),
  ];
  for (const [kind, gen] of gens) {
    for (const field of Object.keys(gen)) {
      if (!['name', 'behavior', 'envs', 'literals', 'type', 'options'].includes(field)) {
        throw new KustomizeError(dir, `unsupported generator field '${field}'`);
      }
    }
    const raw = generatorPairs(dir, gen);
    const data = kind === 'Secret' ? encodeSecretData(raw) : raw;
    const behavior = gen.behavior ?? 'create';
    const existing = resources.find((r) => r.kind === kind && r.metadata.name === gen.name);
    if (behavior === 'create') {
      if (existing) throw new KustomizeError(dir, `${kind}/${gen.name} already exists; use behavior merge or replace`);
      const obj = { apiVersion: 'v1', kind, metadata: { name: gen.name } };
      if (kind === 'Secret') obj.type = gen.type ?? 'Opaque';
      obj.data = data;
      generated.set(obj, { hash: !gen.options?.disableNameSuffixHash });
      resources.push(obj);
    } else if (behavior === 'merge' || behavior === 'replace') {
      if (!existing) throw new KustomizeError(dir, `${kind}/${gen.name} to ${behavior} does not exist`);
      existing.data = behavior === 'merge' ? { ...existing.data, ...data } : data;
    } else {
      throw new KustomizeError(dir, `unknown generator behavior '${behavior}'`);
    }
  }
}

const encodeSecretData = (raw) =>
  Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]));

/** Go's json.Marshal: object keys sorted, and <, >, & escaped as kustomize's Go code does. */
function goJson(value) {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
  }
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${goJson(k)}:${goJson(value[k])}`).join(',')}}`;
}

/** The name suffix kustomize (api/hasher) gives a ConfigMap or Secret: 10 hex chars of a sha256, vowels mapped away. */
function contentHash(obj) {
  const m = { kind: obj.kind, name: obj.metadata?.name ?? '', data: obj.data ?? '' };
  if (obj.kind === 'Secret') {
    m.type = obj.type ?? '';
    if (obj.stringData) m.stringData = obj.stringData;
  } else if (obj.binaryData) {
    m.binaryData = obj.binaryData;
  }
  const hex = crypto.createHash('sha256').update(goJson(m)).digest('hex');
  return hex.slice(0, 10).replace(/[013ae]/g, (c) => ({ 0: 'g', 1: 'h', 3: 'k', a: 'm', e: 't' })[c]);
}

// Strategic merge: list fields merged item by item on these keys; other lists are replaced.
const MERGE_KEYS = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
  ports: (item) => ('containerPort' in item ? 'containerPort' : 'port'),
};

function strategicMerge(base, patch) {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = base && typeof base === 'object' && !Array.isArray(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (Array.isArray(value) && MERGE_KEYS[key] && Array.isArray(out[key]))
      out[key] = mergeList(key, out[key], value);
    else if (typeof value === 'object' && !Array.isArray(value)) out[key] = strategicMerge(out[key], value);
    else out[key] = value;
  }
  return out;
}

function mergeList(field, base, patch) {
  const out = [...base];
  for (const item of patch) {
    const keyName = typeof MERGE_KEYS[field] === 'function' ? MERGE_KEYS[field](item) : MERGE_KEYS[field];
    const at = out.findIndex((b) => b[keyName] === item[keyName]);
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) out[at] = strategicMerge(out[at], item);
    else out.push(item);
  }
  return out;
}

function applyPatches(dir, k, resources) {
  for (const p of k.patches ?? []) {
    if (p.target || p.options) throw new KustomizeError(dir, 'patch targets/options are not supported');
    const docs = p.path ? readDocs(fileInRoot(dir, p.path, 'patch')) : [YAML.parse(p.patch)];
    for (const doc of docs) {
      const matches = resources.filter(
        (r) =>
          r.kind === doc.kind &&
          r.metadata.name === doc.metadata?.name &&
          (!doc.metadata.namespace || doc.metadata.namespace === r.metadata.namespace),
      );
      if (matches.length !== 1) throw new KustomizeError(dir, `patch ${idOf(doc)} matches ${matches.length} objects`);
      const i = resources.indexOf(matches[0]);
      const merged = strategicMerge(matches[0], doc);
      if (generated.has(matches[0])) generated.set(merged, generated.get(matches[0]));
      resources[i] = merged;
    }
  }
}

function podSpecs(obj) {
  if (obj.kind === 'Pod') return [obj.spec];
  if (obj.kind === 'CronJob') return [obj.spec?.jobTemplate?.spec?.template?.spec].filter(Boolean);
  return POD_TEMPLATE_KINDS.has(obj.kind) && obj.spec?.template?.spec ? [obj.spec.template.spec] : [];
}

const containersOf = (spec) => [...(spec.containers ?? []), ...(spec.initContainers ?? [])];

function applyLabels(dir, k, resources) {
  for (const entry of k.labels ?? []) {
    if (entry.includeSelectors) throw new KustomizeError(dir, 'labels.includeSelectors is not supported');
    for (const r of resources) {
      r.metadata.labels = { ...r.metadata.labels, ...entry.pairs };
      if (entry.includeTemplates && POD_TEMPLATE_KINDS.has(r.kind) && r.spec?.template) {
        r.spec.template.metadata = r.spec.template.metadata ?? {};
        r.spec.template.metadata.labels = { ...r.spec.template.metadata.labels, ...entry.pairs };
      }
    }
  }
}

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

function applyImages(k, resources) {
  for (const img of k.images ?? []) {
    for (const spec of resources.flatMap(podSpecs)) {
      for (const c of containersOf(spec)) {
        const cur = splitImage(c.image);
        if (cur.name !== img.name) continue;
        const name = img.newName ?? cur.name;
        if (img.digest) c.image = `${name}@${img.digest}`;
        else if (img.newTag) c.image = `${name}:${img.newTag}`;
        else c.image = `${name}${cur.tag ? `:${cur.tag}` : ''}${cur.digest ? `@${cur.digest}` : ''}`;
      }
    }
  }
}

/** Every place a pod spec names a ConfigMap or Secret, as [kind, holder object, field]. */
function nameReferences(spec) {
  const refs = [];
  for (const c of containersOf(spec)) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef) refs.push(['ConfigMap', e.valueFrom.configMapKeyRef, 'name']);
      if (e.valueFrom?.secretKeyRef) refs.push(['Secret', e.valueFrom.secretKeyRef, 'name']);
    }
    for (const e of c.envFrom ?? []) {
      if (e.configMapRef) refs.push(['ConfigMap', e.configMapRef, 'name']);
      if (e.secretRef) refs.push(['Secret', e.secretRef, 'name']);
    }
  }
  for (const v of spec.volumes ?? []) {
    if (v.configMap) refs.push(['ConfigMap', v.configMap, 'name']);
    if (v.secret) refs.push(['Secret', v.secret, 'secretName']);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap) refs.push(['ConfigMap', s.configMap, 'name']);
      if (s.secret) refs.push(['Secret', s.secret, 'name']);
    }
  }
  for (const s of spec.imagePullSecrets ?? []) refs.push(['Secret', s, 'name']);
  return refs;
}

/** The last step of a top-level build: suffix generated names with their content hash and fix the references. */
function addHashSuffixes(resources) {
  const renamed = new Map();
  for (const r of resources) {
    if (!generated.get(r)?.hash) continue;
    const name = `${r.metadata.name}-${contentHash(r)}`;
    renamed.set(`${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`, name);
    r.metadata.name = name;
  }
  for (const r of resources) {
    for (const [kind, holder, field] of podSpecs(r).flatMap(nameReferences)) {
      const name = renamed.get(`${kind}/${r.metadata.namespace ?? ''}/${holder[field]}`);
      if (name) holder[field] = name;
    }
  }
}

function accumulate(dir) {
  const k = loadKustomization(dir);
  const resources = [];
  for (const entry of k.resources ?? []) {
    const target = path.resolve(dir, entry);
    if (fs.existsSync(target) && fs.statSync(target).isDirectory()) resources.push(...accumulate(target));
    else resources.push(...readDocs(fileInRoot(dir, entry, 'resource')).filter((d) => d !== null));
  }
  const seen = new Set();
  for (const r of resources) {
    const id = `${idOf(r)}@${r.metadata?.namespace ?? ''}`;
    if (seen.has(id)) throw new KustomizeError(dir, `${idOf(r)} is defined twice`);
    seen.add(id);
  }
  runGenerators(dir, k, resources);
  applyPatches(dir, k, resources);
  if (k.namespace) {
    for (const r of resources) if (!CLUSTER_SCOPED.has(r.kind)) r.metadata.namespace = k.namespace;
  }
  applyLabels(dir, k, resources);
  applyImages(k, resources);
  return resources;
}

/** Renders a kustomization directory into its list of objects, as `kustomize build <dir>` would. */
function render(dir) {
  const resources = accumulate(path.resolve(dir));
  addHashSuffixes(resources);
  return resources;
}

const toYaml = (objects) => objects.map((o) => YAML.stringify(o, { lineWidth: 0 })).join('---\n');

module.exports = { render, toYaml, contentHash, strategicMerge, parseEnvFile, splitImage, KustomizeError };

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node scripts/k8s-render.js <kustomization dir>');
    process.exit(2);
  }
  try {
    process.stdout.write(toYaml(render(dir)));
  } catch (e) {
    console.error(e instanceof KustomizeError ? e.message : e);
    process.exit(1);
  }
}
