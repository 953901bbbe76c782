'use strict';
const fs = require('node:fs');

module.exports = async function globalTeardown() {
  const s = globalThis.__CLICKS_STACK__;
  if (!s) return;
  await Promise.all([s.redis.stop(), s.questdb.stop()]);
  if (process.env.KEEP_TEST_DIR) console.error(`test data and logs kept in ${s.dir}`);
  else fs.rmSync(s.dir, { recursive: true, force: true });
};
