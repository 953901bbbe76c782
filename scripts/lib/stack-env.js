'use strict';
// Decides which servers the local stack must start: none that the environment already points at.
const path = require('node:path');
const stack = require('./stack');

/** QuestDB's usual ports: the web console and REST API, Postgres wire, ILP over TCP, health and metrics. */
const QUESTDB_PORT_OF = { httpPort: 9000, pgPort: 8812, ilpPort: 9009, minPort: 9003 };
const QUESTDB_PORTS = Object.values(QUESTDB_PORT_OF);

/**
 * Fails before starting a server whose port something already holds: the new server could not bind, and its readiness
 * probe would reach the old one (a QuestDB left running by an earlier run, perhaps over a deleted data directory), so
 * the apps would wait for shards they can never own.
 */
async function assertPortsFree(what, ports, envHint) {
  for (const port of ports) {
    if (await stack.portInUse(port)) {
      throw new Error(
        `cannot start ${what}: port ${port} on 127.0.0.1 is already in use (an earlier npm start or npm run stack ` +
          `still running?). Stop that process, or set ${envHint} to use a server that is already running.`,
      );
    }
  }
}

/**
 * Keeps a local server running as Kubernetes keeps a pod: when it exits unbidden (a crash, kill -9), it is started
 * again on the same data and port a second later, and every few seconds while that fails; `stop()` stops it for good.
 * Without this, `npm start` went on with a dead Redis or QuestDB and ingest answered 503 until someone restarted all.
 */
function supervised(name, start, first, retryMs = 5000) {
  let current = first;
  let stopped = false;
  /** A start in progress: stop() waits for it, so no server outlives the stop. */
  let pending = Promise.resolve();
  const say = (msg) => process.stderr.write(`[stack] ${msg}\n`);
  const restart = () => {
    if (stopped) return;
    pending = start().then(
      (server) => {
        if (stopped) return server.stop();
        current = server;
        watch(server);
        say(`${name} is back`);
      },
      (e) => {
        say(`${name} did not start again (${e.message}); retrying in ${retryMs / 1000} s`);
        setTimeout(restart, retryMs);
      },
    );
  };
  const watch = (server) =>
    server.child.once('exit', (code, signal) => {
      if (stopped) return;
      say(`${name} exited (${code ?? signal}); starting it again`);
      setTimeout(restart, 1000);
    });
  watch(first);
  return {
    get child() {
      return current.child;
    },
    stop: async () => {
      stopped = true;
      await pending;
      await current.stop();
    },
  };
}

/** Starts the servers the environment does not name; fills in the env defaults. Returns what it started. */
async function stackFromEnv(env) {
  const dataDir = path.join(stack.ROOT, '.data');
  const startsRedis = !env.REDIS_URL;
  const startsQuestDb = !env.QUESTDB_HTTP_URL && !env.QUESTDB_PG_URL;
  const redisPort = Number(env.LOCAL_REDIS_PORT || 6379);
  if (startsRedis) await assertPortsFree('Redis', [redisPort], 'REDIS_URL');
  if (startsQuestDb) await assertPortsFree('QuestDB', QUESTDB_PORTS, 'QUESTDB_HTTP_URL and QUESTDB_PG_URL');
  const started = [];
  try {
    if (startsRedis) {
      // De-dup ids take 71-88 bytes each for one to two DEDUP_HORIZON_SECONDS (docs/kubernetes.md, "Sizing Redis").
      const maxmemory = env.LOCAL_REDIS_MAXMEMORY || '4gb';
      const start = () => stack.startRedis({ dir: path.join(dataDir, 'redis'), port: redisPort, maxmemory });
      started.push(supervised('redis', start, await start()));
      env.REDIS_URL = `redis://127.0.0.1:${redisPort}`;
    }
    if (startsQuestDb) {
      const { httpPort, pgPort, ilpPort, minPort } = QUESTDB_PORT_OF;
      const start = () =>
        stack.startQuestDb({ dir: path.join(dataDir, 'questdb'), httpPort, pgPort, ilpPort, minPort });
      started.push(supervised('questdb', start, await start()));
      env.QUESTDB_HTTP_URL = `http://127.0.0.1:${httpPort}`;
      env.QUESTDB_PG_URL = `postgresql://admin:quest@127.0.0.1:${pgPort}/qdb`;
    }
  } catch (e) {
    await Promise.all(started.map((s) => s.stop()));
    throw e;
  }
  return started;
}

module.exports = { stackFromEnv, supervised };
