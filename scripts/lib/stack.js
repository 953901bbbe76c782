'use strict';
// Starts the two servers the system needs (Redis, QuestDB) as child processes. Dependency-free on purpose:
// `npm start`, `npm run stack` and the jest global setup all use it, before node_modules may exist.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const http = require('node:http');
const path = require('node:path');

const QUESTDB_VERSION = '9.3.2';
const ROOT = path.resolve(__dirname, '..', '..');
const QUESTDB_JAR = path.join(ROOT, '.cache', 'questdb', `questdb-${QUESTDB_VERSION}.jar`);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Whether something already listens on `host:port` (a listen attempt fails with EADDRINUSE). */
function portInUse(port, host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (e) => (e.code === 'EADDRINUSE' ? resolve(true) : reject(e)));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, probe, timeoutMs, child) {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let nextNote = started + 10_000;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    if (await probe().catch(() => false)) return;
    // A slow start (a cold JVM, a busy machine) says what it waits for instead of looking hung.
    if (Date.now() >= nextNote) {
      log(`still waiting for ${what} (${Math.round((Date.now() - started) / 1000)} s of ${timeoutMs / 1000} s)`);
      nextNote += 10_000;
    }
    await sleep(150);
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms`);
}

function redisPing(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port }, () => socket.write('PING\r\n'));
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('data', (d) => {
      socket.destroy();
      // A Redis that requires a password answers NOAUTH: it is up all the same.
      resolve(/^(\+PONG|-NOAUTH)/.test(d.toString()));
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
  });
}

function httpOk(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

function stopper(child, name) {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    }).then(() => log(`${name} stopped`));
}

let quiet = false;
function log(msg) {
  if (!quiet) process.stderr.write(`[stack] ${msg}\n`);
}

function spawnLogged(cmd, args, opts, logFile) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  return child;
}

/** Starts redis-server with AOF on, data in `dir`, bounded to `maxmemory` with noeviction. */
async function startRedis({ dir, port, host = '127.0.0.1', maxmemory = '4gb', extraArgs = [] }) {
  fs.mkdirSync(dir, { recursive: true });
  const args = ['--port', String(port), '--bind', host, '--dir', dir, '--appendonly', 'yes'];
  // fsync before replying: a 2xx from ingest means the click survives even a crash of the Redis host.
  args.push('--appendfsync', 'always', '--save', '', '--daemonize', 'no');
  // De-dup sets hold a horizon of a shard's click ids and expire at a bucket boundary: free them in the background.
  args.push('--lazyfree-lazy-expire', 'yes');
  // A bounded Redis that refuses writes when full (ingest answers 503) instead of evicting streams or de-dup sets,
  // or growing until the OOM killer ends it (a long QuestDB outage fills the streams).
  args.push('--maxmemory', maxmemory, '--maxmemory-policy', 'noeviction', ...extraArgs);
  const child = spawnLogged('redis-server', args, {}, path.join(dir, 'redis.log'));
  await waitFor(`redis-server on ${host}:${port}`, () => redisPing(host, port), 20000, child);
  log(`redis ready on ${host}:${port} (data ${dir})`);
  return { child, url: `redis://${host}:${port}`, port, stop: stopper(child, 'redis') };
}

/** Runs redis-cli with `args` and resolves with its output (rejects on a non-zero exit). */
function redisCli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-cli', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`redis-cli ${args.join(' ')}: ${out}`))));
  });
}

/** Whether the node at host:port reports `cluster_state:ok`. */
async function clusterStateOk(host, port) {
  return (await redisCli(['-h', host, '-p', String(port), 'cluster', 'info'])).includes('cluster_state:ok');
}

/** Whether the node is a replica, or a master whose `replicas` replicas are all in sync (WAIT can succeed). */
async function replicationOnline(host, port, replicas) {
  const info = await redisCli(['-h', host, '-p', String(port), 'info', 'replication']);
  if (!info.includes('role:master')) return true;
  const online = info.split('\n').filter((l) => /^slave\d+:.*state=online/.test(l)).length;
  return online >= replicas;
}

/**
 * Starts a Redis Cluster of `ports.length` nodes (data in `dir/<port>`) with `replicas` replicas per master
 * (3 masters + 3 replicas for 6 ports and 1 replica). A node is declared failed after `nodeTimeoutMs`, so a killed
 * master's replica takes over within about twice that. Resolves once every node reports `cluster_state:ok` and
 * every master's replicas are in sync.
 */
async function startRedisCluster({
  dir,
  ports,
  host = '127.0.0.1',
  replicas = 1,
  nodeTimeoutMs = 2000,
  extraArgs = [],
}) {
  const nodeArgs = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'];
  // Replicas sync at once (the default waits 5 s for more replicas to share one diskless transfer).
  nodeArgs.push('--cluster-node-timeout', String(nodeTimeoutMs), '--repl-diskless-sync-delay', '0', ...extraArgs);
  const startNode = (port) => startRedis({ dir: path.join(dir, String(port)), port, host, extraArgs: nodeArgs });
  const nodes = [];
  try {
    for (const port of ports) nodes.push(await startNode(port));
    const addresses = ports.map((p) => `${host}:${p}`);
    await redisCli(['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes']);
    for (const port of ports) {
      await waitFor(`cluster state ok on ${host}:${port}`, () => clusterStateOk(host, port), 60000);
    }
    for (const port of ports) {
      await waitFor(`replicas in sync on ${host}:${port}`, () => replicationOnline(host, port, replicas), 60000);
    }
    // Until every node has heard of every slot's owner, a client may be given a stale slot map.
    const agree = () =>
      redisCli(['--cluster', 'check', addresses[0]]).then((out) => out.includes('All nodes agree about slots'));
    await waitFor('nodes agreeing about slots', agree, 60000);
  } catch (e) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw e;
  }
  log(`redis cluster ready on ${ports.map((p) => `${host}:${p}`).join(',')}`);
  const cluster = {
    nodes: nodes.map((n) => ({ ...n, host })),
    seeds: ports.map((p) => `${host}:${p}`).join(','),
    /** Starts a stopped or killed node again (its data and nodes.conf kept): it rejoins, e.g. as a replica. */
    restartNode: async (port) => {
      const i = cluster.nodes.findIndex((n) => n.port === port);
      await cluster.nodes[i].stop();
      cluster.nodes[i] = { ...(await startNode(port)), host };
      return cluster.nodes[i];
    },
    stop: () => Promise.all(cluster.nodes.map((n) => n.stop())).then(() => undefined),
  };
  return cluster;
}

/** Starts QuestDB (server jar from Maven Central, run on the machine's Java 17) with data in `dir`. */
async function startQuestDb({ dir, httpPort, pgPort, ilpPort, minPort, host = '127.0.0.1', jar = QUESTDB_JAR }) {
  if (!fs.existsSync(jar)) throw new Error(`QuestDB jar missing at ${jar}: run "npm run setup" first`);
  fs.mkdirSync(dir, { recursive: true });
  const env = {
    // QuestDB logs every HTTP request at INFO; its log thread and its idle workers spin (yield) for thousands of
    // rounds after each bit of work before sleeping. On a machine shared with everything else that spinning cost
    // 0.4 of a core at 20 requests/s (docs/benchmarks.md, "QuestDB's idle spinning"); errors are still logged.
    // Defaults: the caller's environment may override them.
    QDB_LOG_W_STDOUT_LEVEL: 'ERROR,CRITICAL,ADVISORY',
    QDB_SHARED_WORKER_YIELD_THRESHOLD: '10',
    QDB_SHARED_WORKER_NAP_THRESHOLD: '20',
    QDB_SHARED_WORKER_SLEEP_THRESHOLD: '100',
    ...process.env,
    QDB_HTTP_BIND_TO: `${host}:${httpPort}`,
    QDB_HTTP_MIN_NET_BIND_TO: `${host}:${minPort}`,
    QDB_PG_NET_BIND_TO: `${host}:${pgPort}`,
    QDB_LINE_TCP_NET_BIND_TO: `${host}:${ilpPort}`,
    QDB_LINE_UDP_ENABLED: 'false',
    // Tables are created with DEDUP keys by the apps; a stray ILP write must not create one without them.
    QDB_LINE_AUTO_CREATE_NEW_TABLES: 'false',
    QDB_LINE_AUTO_CREATE_NEW_COLUMNS: 'false',
    QDB_TELEMETRY_ENABLED: 'false',
    QDB_CAIRO_WRITER_DATA_APPEND_PAGE_SIZE: '1M',
    QDB_SHARED_WORKER_COUNT: '2',
  };
  const args = ['-Xms256m', '-Xmx1g', '--add-exports', 'java.base/jdk.internal.math=io.questdb'];
  args.push('-p', jar, '-m', 'io.questdb/io.questdb.ServerMain', '-d', dir);
  const child = spawnLogged('java', args, { env }, path.join(dir, 'questdb-stdout.log'));
  const ready = `http://${host}:${httpPort}/exec?query=select%201`;
  await waitFor(`QuestDB on ${host}:${httpPort}`, () => httpOk(ready), 90000, child);
  log(`questdb ready: http ${host}:${httpPort}, pg ${pgPort}, ilp ${ilpPort} (data ${dir})`);
  return {
    child,
    httpUrl: `http://${host}:${httpPort}`,
    pgUrl: `postgresql://admin:quest@${host}:${pgPort}/qdb`,
    httpPort,
    pgPort,
    stop: stopper(child, 'questdb'),
  };
}

module.exports = {
  QUESTDB_VERSION,
  QUESTDB_JAR,
  ROOT,
  freePort,
  portInUse,
  httpOk,
  redisPing,
  redisCli,
  clusterStateOk,
  replicationOnline,
  startRedis,
  startRedisCluster,
  startQuestDb,
  waitFor,
  setQuiet: (q) => (quiet = q),
};
