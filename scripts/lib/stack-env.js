'use strict';
// Decides which servers the local stack must start: none that the environment already points at.
const path = require('node:path');
const stack = require('./stack');

/** Starts the servers the environment does not name; fills in the env defaults. Returns what it started. */
async function stackFromEnv(env) {
  const dataDir = path.join(stack.ROOT, '.data');
  const started = [];
  try {
    if (!env.REDIS_URL) {
      const port = Number(env.LOCAL_REDIS_PORT || 6379);
      started.push(await stack.startRedis({ dir: path.join(dataDir, 'redis'), port }));
      env.REDIS_URL = `redis://127.0.0.1:${port}`;
    }
    if (!env.QUESTDB_HTTP_URL && !env.QUESTDB_PG_URL) {
      const httpPort = 9000;
      const pgPort = 8812;
      started.push(
        await stack.startQuestDb({
          dir: path.join(dataDir, 'questdb'),
          httpPort,
          pgPort,
          ilpPort: 9009,
          minPort: 9003,
        }),
      );
      env.QUESTDB_HTTP_URL = `http://127.0.0.1:${httpPort}`;
      env.QUESTDB_PG_URL = `postgresql://admin:quest@127.0.0.1:${pgPort}/qdb`;
    }
  } catch (e) {
    await Promise.all(started.map((s) => s.stop()));
    throw e;
  }
  return started;
}

module.exports = { stackFromEnv };
