import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { printSchema } from 'graphql';
import { createAggregatorApp } from '../../apps/aggregator/src/aggregator.app';
import { createGatewayApp } from '../../apps/gateway/src/gateway.app';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { startApp, testConfig } from '../support/test-env';

const API_DIR = join(__dirname, '..', '..', 'docs', 'api');
/** `npm run contracts` sets it: write what the code declares instead of comparing. */
const UPDATE = process.env.UPDATE_CONTRACTS === '1';

/**
 * The committed API contracts (docs/api) are what the code declares: a change to a route, a parameter or a schema
 * that is not also committed there fails here. `npm run contracts` rewrites them; review the diff like code.
 */
function expectContract(file: string, generated: string): void {
  const path = join(API_DIR, file);
  if (UPDATE) {
    writeFileSync(path, generated);
    return;
  }
  const committed = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (committed !== generated) {
    throw new Error(`docs/api/${file} differs from what the code declares: run "npm run contracts" and commit it`);
  }
}

interface Started {
  app: NestFastifyApplication;
  url: string;
  /** Every route the app's Fastify registered while starting, as `METHOD /path/{param}`. */
  routes: string[];
}

/** Starts an app, recording the routes Fastify registers (Nest registers its controllers' routes on init). */
async function startRecording(create: Promise<NestFastifyApplication>, waitReady = true): Promise<Started> {
  const app = await create;
  const routes: string[] = [];
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      for (const m of methods) if (m !== 'HEAD' && m !== 'OPTIONS') routes.push(`${m} ${path}`);
    });
  return { ...(await startApp(Promise.resolve(app), { waitReady })), routes };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** Every operation of an OpenAPI document, as `METHOD /path/{param}`. */
function documented(doc: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => METHODS.includes(m))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
}

/** Every `$ref` anywhere in a JSON value. */
function refsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsOf);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [v] : refsOf(v)));
}

describe('API contracts', () => {
  const apps: Record<string, Started> = {};

  beforeAll(async () => {
    [apps.gateway, apps.ingest, apps.aggregator] = await Promise.all([
      startRecording(createGatewayApp(testConfig({ GRAPHIQL: 'true' }))),
      startRecording(createIngestApp(testConfig())),
      // Archive only, not waiting for shards: the document is all this test reads.
      startRecording(createAggregatorApp(testConfig({ AGGREGATOR_ROLES: 'archive' })), false),
    ]);
  });

  afterAll(async () => {
    await Promise.all(Object.values(apps).map((a) => a.app.close()));
  });

  it('docs/api/schema.graphql is the gateway schema', () => {
    expectContract('schema.graphql', `${printSchema(apps.gateway.app.get(GraphQLSchemaHost).schema)}\n`);
  });

  describe.each(['ingest', 'gateway', 'aggregator'])('%s', (name) => {
    let doc: any;

    beforeAll(async () => {
      const res = await fetch(`${apps[name].url}/docs/openapi.json`);
      expect(res.status).toBe(200);
      doc = await res.json();
    });

    it(`docs/api/openapi-${name}.json is the document the app serves at /docs/openapi.json`, () => {
      expectContract(`openapi-${name}.json`, `${JSON.stringify(doc, null, 2)}\n`);
    });

    it('documents every /v1, /health and /metrics route it serves, and no other', () => {
      const served = apps[name].routes.filter((r) => /^\S+ \/(v1\/|health\/|metrics$)/.test(r));
      expect(served.length).toBeGreaterThan(0);
      expect(documented(doc).sort()).toEqual([...new Set(served)].sort());
    });

    it('resolves every $ref within the document', () => {
      const missing = refsOf(doc).filter((ref) => {
        const name = ref.replace('#/components/schemas/', '');
        return !ref.startsWith('#/components/schemas/') || !(name in (doc.components?.schemas ?? {}));
      });
      expect(missing).toEqual([]);
    });

    it('answers errors as problem details', () => {
      const errors = Object.values(doc.paths as Record<string, Record<string, any>>).flatMap((item) =>
        Object.values(item).flatMap((op) =>
          Object.entries(op.responses ?? {})
            .filter(([status]) => Number(status) >= 400)
            .map(([, r]: [string, any]) => r),
        ),
      );
      expect(errors.length).toBeGreaterThan(0);
      for (const r of errors.filter((e) => e.content?.['application/problem+json'] === undefined)) {
        // Health checks answer 503 with their own body (Terminus's), not a problem.
        expect(r.description).toMatch(/health check/i);
      }
    });
  });

  it('serves GraphiQL when GRAPHIQL is on (development)', async () => {
    const res = await fetch(`${apps.gateway.url}/graphiql`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/graphiql/i);
  });
});
