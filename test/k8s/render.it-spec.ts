import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Offline: scripts/k8s-render.js is plain CommonJS shared with CI.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { render, contentHash, splitImage } = require('../../scripts/k8s-render');

/** Writes a tree of files under a fresh temporary directory and returns its path. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'k8s-render-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, labels: { app: web } }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: acme/web
          envFrom: [{ configMapRef: { name: cfg } }]
          env:
            - { name: A, value: '1' }
            - name: PASS
              valueFrom: { secretKeyRef: { name: sec, key: PASS } }
        - name: side
          image: acme/side:1.0
`;

describe('k8s-render (kustomize semantics)', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const make = (files: Record<string, string>) => {
    const d = tree(files);
    dirs.push(d);
    return d;
  };

  // The vectors of kustomize's api/hasher/hasher_test.go (TestConfigMapHash, TestSecretHash).
  it.each([
    [{ kind: 'ConfigMap', metadata: {} }, '6ct58987ht'],
    [{ kind: 'ConfigMap', metadata: {}, data: { one: '' } }, '9g67k2htb6'],
    [{ kind: 'ConfigMap', metadata: {}, data: { two: 2, one: '', three: 3 } }, '7757f9kkct'],
    [{ kind: 'Secret', metadata: {}, type: 'my-type' }, '5gmgkf8578'],
  ])('hashes %j as kustomize does', (obj, hash) => {
    expect(contentHash(obj)).toBe(hash);
  });

  it('splits image references', () => {
    expect(splitImage('registry:5000/a/b:1.2@sha256:ff')).toEqual({
      name: 'registry:5000/a/b',
      tag: '1.2',
      digest: 'sha256:ff',
    });
    expect(splitImage('registry:5000/a/b')).toEqual({ name: 'registry:5000/a/b', tag: undefined, digest: undefined });
  });

  it('renders an overlay: generators, merge, hash suffixes and references, patches, namespace, labels, images', () => {
    const dir = make({
      'base/kustomization.yaml': `
resources: [web.yaml]
configMapGenerator: [{ name: cfg, envs: [app.env] }]
secretGenerator: [{ name: sec, literals: [PASS=s3cret] }]
labels: [{ pairs: { team: ads }, includeTemplates: true }]
`,
      'base/app.env': '# comment\n\nX=1\nURL=http://h/?a=b\nEMPTY=\n',
      'base/web.yaml': deployment,
      'overlay/kustomization.yaml': `
namespace: prod
resources: [../base]
configMapGenerator: [{ name: cfg, behavior: merge, literals: [X=2] }]
images: [{ name: acme/web, newName: reg.io/acme/web, newTag: v9 }]
patches: [{ path: patch.yaml }]
`,
      'overlay/patch.yaml': `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: web
          env: [{ name: B, value: '2' }, { name: A, value: '9' }]
`,
    });
    const out = render(join(dir, 'overlay'));
    const cm = out.find((o: any) => o.kind === 'ConfigMap');
    const sec = out.find((o: any) => o.kind === 'Secret');
    const web = out.find((o: any) => o.kind === 'Deployment');

    expect(cm.data).toEqual({ X: '2', URL: 'http://h/?a=b', EMPTY: '' });
    expect(cm.metadata.name).toBe(`cfg-${contentHash({ ...cm, metadata: { name: 'cfg' } })}`);
    expect(sec).toMatchObject({ type: 'Opaque', data: { PASS: Buffer.from('s3cret').toString('base64') } });
    expect(sec.metadata.name).toMatch(/^sec-[a-z0-9]{10}$/);
    expect(out.every((o: any) => o.metadata.namespace === 'prod')).toBe(true);

    const [c, side] = web.spec.template.spec.containers;
    expect(c.envFrom[0].configMapRef.name).toBe(cm.metadata.name);
    expect(c.env.map((e: any) => [e.name, e.value])).toEqual([
      ['A', '9'],
      ['PASS', undefined],
      ['B', '2'],
    ]);
    expect(c.env[1].valueFrom.secretKeyRef.name).toBe(sec.metadata.name);
    expect(c.image).toBe('reg.io/acme/web:v9');
    expect(side.image).toBe('acme/side:1.0');
    expect(web.spec.replicas).toBe(3);
    expect(web.metadata.labels).toEqual({ app: 'web', team: 'ads' });
    expect(web.spec.template.metadata.labels).toEqual({ app: 'web', team: 'ads' });
    expect(web.spec.selector.matchLabels).toEqual({ app: 'web' });
  });

  it('changes the suffix when the content changes', () => {
    const files = (x: string) => ({
      'kustomization.yaml': `configMapGenerator: [{ name: cfg, literals: [X=${x}] }]\n`,
    });
    expect(render(make(files('1')))[0].metadata.name).not.toBe(render(make(files('2')))[0].metadata.name);
  });

  it.each([
    [
      'an unsupported field',
      { 'kustomization.yaml': 'commonAnnotations: { a: b }\n' },
      /unsupported kustomization field/,
    ],
    [
      'a file outside the kustomization directory',
      { 'k/kustomization.yaml': 'configMapGenerator: [{ name: c, envs: [../x.env] }]\n', 'x.env': 'A=1\n' },
      /not in or below/,
    ],
    [
      'a patch that matches nothing',
      { 'kustomization.yaml': 'patches: [{ path: p.yaml }]\n', 'p.yaml': deployment },
      /matches 0/,
    ],
    [
      'a key given twice',
      { 'kustomization.yaml': 'configMapGenerator: [{ name: c, literals: [A=1, A=2] }]\n' },
      /given twice/,
    ],
  ])('rejects %s', (_, files: Record<string, string>, error) => {
    const dir = make(files);
    expect(() => render(files['k/kustomization.yaml'] ? join(dir, 'k') : dir)).toThrow(error);
  });
});
