'use strict';
// Starts one real redis-server and one real QuestDB on free ports in a temporary directory for the integration
// tests; their addresses reach the test workers through the environment.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const stack = require('../../scripts/lib/stack');

module.exports = async function globalSetup() {
  stack.setQuiet(true);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clicks-it-'));
  const [redisPort, httpPort, pgPort, ilpPort, minPort] = await Promise.all(
    [1, 2, 3, 4, 5].map(() => stack.freePort()),
  );
  const [redis, questdb] = await Promise.all([
    stack.startRedis({ dir: path.join(dir, 'redis'), port: redisPort }),
    stack.startQuestDb({ dir: path.join(dir, 'questdb'), httpPort, pgPort, ilpPort, minPort }),
  ]);
  globalThis.__CLICKS_STACK__ = { redis, questdb, dir };
  process.env.TEST_REDIS_URL = redis.url;
  process.env.TEST_QUESTDB_HTTP_URL = questdb.httpUrl;
  process.env.TEST_QUESTDB_PG_URL = questdb.pgUrl;
  process.env.TEST_TMP_DIR = dir;
  // Fault tests pause the QuestDB server itself (SIGSTOP/SIGCONT).
  process.env.TEST_QUESTDB_PID = String(questdb.child.pid);
};
