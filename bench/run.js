#!/usr/bin/env node
'use strict';
// `npm run bench`: runs every bench/*.bench.ts in order (through @swc-node/register) and prints their tables.
// `node bench/run.js <name>` runs the benchmarks whose file name contains <name>. Each benchmark starts what it needs (usually its own Redis and QuestDB via scripts/lib/stack.js on free ports)
// and prints a markdown table; copy the measured tables into docs/benchmarks.md with the command and date.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const only = process.argv[2];
const files = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only)))
  .sort();
let failed = 0;
for (const f of files) {
  process.stdout.write(`\n## ${f}\n\n`);
  // swc-node compiles the TypeScript; tsconfig-paths resolves the @clicks/* aliases from tsconfig.json.
  const r = spawnSync(
    process.execPath,
    ['-r', '@swc-node/register', '-r', 'tsconfig-paths/register', path.join(__dirname, f), ...process.argv.slice(3)],
    {
      stdio: 'inherit',
      env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.json') },
    },
  );
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
