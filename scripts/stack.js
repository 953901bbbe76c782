#!/usr/bin/env node
'use strict';
// `npm run stack`: runs Redis and QuestDB in the foreground with data under .data/, until Ctrl-C.
const path = require('node:path');
const stack = require('./lib/stack');
const { stackFromEnv } = require('./lib/stack-env');

async function main() {
  const servers = await stackFromEnv(process.env);
  if (servers.length === 0) {
    process.stderr.write('[stack] REDIS_URL and QuestDB addresses are set: nothing to start\n');
    return;
  }
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  // A server that dies is started again (stack-env.js, supervised).
  process.stderr.write(`[stack] running; data in ${path.join(stack.ROOT, '.data')}. Ctrl-C stops.\n`);
}

main().catch((e) => {
  process.stderr.write(`[stack] ${e.message}\n`);
  process.exit(1);
});
