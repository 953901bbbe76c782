#!/usr/bin/env node
'use strict';
// `npm start`: the whole system on one machine. Starts Redis and QuestDB (unless the environment names servers),
// then ingest, aggregator and gateway; waits until all are ready; Ctrl-C stops everything.
const { spawn } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const stack = require('./lib/stack');
const { stackFromEnv } = require('./lib/stack-env');
const { nodeFlags } = require('./lib/node-flags');

const env = { ...process.env };
// Local conveniences, never used in Kubernetes (where they come from Secrets): a known admin token and a stable
// click-token key, so click links survive a restart of `npm start`.
env.ADMIN_TOKEN = env.ADMIN_TOKEN || 'dev-admin-token';
env.GRAPHIQL = env.GRAPHIQL || 'true';
env.IMPRESSION_KEYS = env.IMPRESSION_KEYS || 'dev:local-development-only-impression-key';
// Ingest processes (node:cluster workers sharing INGEST_PORT): one per core but one, which Redis, QuestDB and the
// aggregator need. On 2 cores one process measured faster than two (docs/benchmarks.md: 17K vs 13K single clicks/s),
// since each of two batches half as many clicks per Redis call. Kubernetes keeps 1 per pod and scales replicas.
env.INGEST_PROCESSES = env.INGEST_PROCESSES || String(Math.max(1, os.availableParallelism() - 1));
const APPS = [
  { name: 'ingest', port: Number(env.INGEST_PORT || 3001) },
  { name: 'aggregator', port: Number(env.AGGREGATOR_PORT || 3002) },
  { name: 'gateway', port: Number(env.GATEWAY_PORT || 3000) },
];
if (env.LOG_AGENT_GLOBS) APPS.push({ name: 'log-agent', port: Number(env.LOG_AGENT_PORT || 3003) });

const children = [];
let servers = [];
let stopping = false;

function startApp({ name }) {
  const main = path.join(stack.ROOT, 'dist', 'apps', name, 'src', 'main.js');
  const child = spawn(process.execPath, [...nodeFlags(name), main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${name}] `;
  for (const s of [child.stdout, child.stderr]) {
    let buf = '';
    s.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop();
      for (const l of lines) process.stdout.write(prefix + l + '\n');
    });
  }
  child.on('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`[start] ${name} exited (${code ?? signal}); stopping everything\n`);
    void stopAll(1);
  });
  children.push(child);
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  process.stderr.write('[start] stopping apps\n');
  await Promise.all(
    children.map(
      (c) =>
        new Promise((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const t = setTimeout(() => c.kill('SIGKILL'), 30000);
          c.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
  await Promise.all(servers.map((s) => s.stop()));
  process.exit(code);
}

async function main() {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  servers = await stackFromEnv(env);
  for (const app of APPS) startApp(app);
  await Promise.all(
    APPS.map((a) =>
      stack.waitFor(`${a.name} readiness`, () => stack.httpOk(`http://127.0.0.1:${a.port}/health/ready`), 120000),
    ),
  );
  const lines = [
    '',
    'clickstream aggregator is running:',
    `  ingest      http://127.0.0.1:${APPS[0].port}   (POST /v1/clicks; ${env.INGEST_PROCESSES} processes)`,
    `  aggregator  http://127.0.0.1:${APPS[1].port}   (GET /v1/admin/shards)`,
    `  gateway     http://127.0.0.1:${APPS[2].port}   (GET /v1/ads/:adId/clicks?minutes=5, /graphql, /docs)`,
    `  dashboard   http://127.0.0.1:${APPS[2].port}/dashboard/   (sign in with an advertiser key or the admin token)`,
    ...(APPS[3] ? [`  log-agent   http://127.0.0.1:${APPS[3].port}   (tailing ${env.LOG_AGENT_GLOBS})`] : []),
    `  admin token ${env.ADMIN_TOKEN === 'dev-admin-token' ? 'dev-admin-token (set ADMIN_TOKEN to change)' : '(from ADMIN_TOKEN)'}`,
    '  keys        every click and query needs one: POST /v1/admin/partners/<id>/keys (ingest, admin token) for',
    '              senders, PUT /v1/admin/advertisers/<id> then POST .../keys for advertisers (see README)',
    `  redis       ${env.REDIS_URL}`,
    `  questdb     ${env.QUESTDB_HTTP_URL} (console), ${env.QUESTDB_PG_URL}`,
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch(async (e) => {
  process.stderr.write(`[start] ${e.message}\n`);
  await stopAll(1);
});
