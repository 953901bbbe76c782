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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, probe, timeoutMs, child) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    if (await probe().catch(() => false)) return;
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
      resolve(d.toString().startsWith('+PONG'));
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

/** Starts redis-server with AOF on, data in `dir`. */
async function startRedis({ dir, port, host = '127.0.0.1', extraArgs = [] }) {
  fs.mkdirSync(dir, { recursive: true });
  const args = ['--port', String(port), '--bind', host, '--dir', dir, '--appendonly', 'yes'];
  // fsync before replying: a 2xx from ingest means the click survives even a crash of the Redis host.
  args.push('--appendfsync', 'always', '--save', '', '--daemonize', 'no', ...extraArgs);
  const child = spawnLogged('redis-server', args, {}, path.join(dir, 'redis.log'));
  await waitFor(`redis-server on ${host}:${port}`, () => redisPing(host, port), 20000, child);
  log(`redis ready on ${host}:${port} (data ${dir})`);
  return { child, url: `redis://${host}:${port}`, port, stop: stopper(child, 'redis') };
}

/** Starts QuestDB (server jar from Maven Central, run on the machine's Java 17) with data in `dir`. */
async function startQuestDb({ dir, httpPort, pgPort, ilpPort, minPort, host = '127.0.0.1', jar = QUESTDB_JAR }) {
  if (!fs.existsSync(jar)) throw new Error(`QuestDB jar missing at ${jar}: run "npm run setup" first`);
  fs.mkdirSync(dir, { recursive: true });
  const env = {
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
  httpOk,
  redisPing,
  startRedis,
  startQuestDb,
  waitFor,
  setQuiet: (q) => (quiet = q),
};
