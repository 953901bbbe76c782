import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { printSchema } from 'graphql';
import { createGatewayApp } from '../../apps/gateway/src/gateway.app';
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

describe('API contracts', () => {
  let gateway: { app: NestFastifyApplication; url: string };

  beforeAll(async () => {
    gateway = await startApp(createGatewayApp(testConfig({ GRAPHIQL: 'true' })));
  });

  afterAll(async () => {
    await gateway?.app.close();
  });

  it('docs/api/schema.graphql is the gateway schema', () => {
    expectContract('schema.graphql', `${printSchema(gateway.app.get(GraphQLSchemaHost).schema)}\n`);
  });

  it('serves GraphiQL when GRAPHIQL is on (development)', async () => {
    const res = await fetch(`${gateway.url}/graphiql`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/graphiql/i);
  });
});
