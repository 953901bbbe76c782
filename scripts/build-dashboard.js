#!/usr/bin/env node
'use strict';
// Builds the advertiser dashboard (apps/dashboard) into dist/dashboard, which the gateway serves at /dashboard/:
// one minified script and one stylesheet bundled by esbuild, and the page itself.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const SRC = path.join(ROOT, 'apps', 'dashboard');
const OUT = path.join(ROOT, 'dist', 'dashboard');

async function main() {
  fs.rmSync(OUT, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [
      { in: path.join(SRC, 'src', 'main.ts'), out: 'app' },
      { in: path.join(SRC, 'src', 'style.css'), out: 'app' },
    ],
    outdir: OUT,
    bundle: true,
    minify: true,
    sourcemap: true,
    target: ['es2020'],
    // Types are imported from the gateway's libs (`import type`); nothing of them reaches the bundle.
    tsconfig: path.join(SRC, 'tsconfig.json'),
    logLevel: 'warning',
  });
  fs.copyFileSync(path.join(SRC, 'index.html'), path.join(OUT, 'index.html'));
}

main().catch((e) => {
  process.stderr.write(`dashboard build failed: ${e.message}\n`);
  process.exit(1);
});
