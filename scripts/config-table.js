#!/usr/bin/env node
'use strict';
// Prints the README's configuration table from config/defaults.env (the comment above a variable is its meaning;
// a variable directly below another without a comment of its own shares that meaning).
const fs = require('node:fs');
const path = require('node:path');

const lines = fs.readFileSync(path.join(__dirname, '..', 'config', 'defaults.env'), 'utf8').split('\n');
const rows = [];
let comment = [];
let last = '';
for (const line of lines) {
  if (line.startsWith('#')) comment.push(line.slice(1).trim());
  else if (/^[A-Z_]+=/.test(line)) {
    const [key, ...rest] = line.split('=');
    const meaning = comment.length ? comment.join(' ') : last;
    rows.push([key, rest.join('='), meaning]);
    last = meaning;
    comment = [];
  } else {
    comment = [];
    last = '';
  }
}
const cell = (s) => s.replace(/\|/g, '\\|');
const out = ['| variable | default | meaning |', '|---|---|---|'];
for (const [k, v, m] of rows.slice(0)) out.push(`| \`${k}\` | ${v ? `\`${cell(v)}\`` : '(empty)'} | ${cell(m)} |`);
process.stdout.write(out.join('\n') + '\n');
