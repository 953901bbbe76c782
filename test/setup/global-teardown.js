'use strict';
const fs = require('node:fs');

module.exports = async function globalTeardown() {
  const s = globalThis.__CLICKS_STACK__;
  if (!s) return;
  await Promise.all([s.redis.stop(), s.questdb.stop()]);
  fs.rmSync(s.dir, { recursive: true, force: true });
};
