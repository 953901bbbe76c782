#!/usr/bin/env node
'use strict';
// `npm run setup`: installs what the system needs, idempotently, and builds. Dependency-free (runs before npm ci).
// Steps: npm ci when node_modules is stale; redis-server (faketime, chromium and promtool with --test, wrk with
// --bench) from Debian's packages; the QuestDB jar from Maven Central (cached under .cache/); Java 17+; `npm run
// build` when a source is newer than the last build.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { QUESTDB_VERSION, QUESTDB_JAR, ROOT } = require('./lib/stack');

function fail(msg) {
  process.stderr.write(`\n[setup] cannot continue: ${msg}\n\n`);
  process.exit(1);
}
const log = (msg) => process.stderr.write(`[setup] ${msg}\n`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  if (r.error) return fail(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const mtime = (p) => (fs.existsSync(p) ? fs.statSync(p).mtimeMs : 0);

function ensureNodeModules() {
  const marker = path.join(ROOT, 'node_modules', '.package-lock.json');
  if (mtime(marker) >= mtime(path.join(ROOT, 'package-lock.json'))) return;
  log('installing npm dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

/** Installs `pkg` from Debian's packages unless `command` is already on the PATH. */
function ensureDebianPackage(command, pkg) {
  if (onPath(command)) return false;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    fail(`${command} is not installed. Install it with: sudo apt-get install -y ${pkg}`);
  }
  log(`installing ${pkg} from Debian packages`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', pkg], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return true;
}

function ensureRedis() {
  if (!ensureDebianPackage('redis-server', 'redis-server')) return;
  // Debian's package starts a system service on 6379; we run our own servers, so stop it when we can.
  spawnSync('sh', ['-c', 'service redis-server stop || systemctl stop redis-server'], { stdio: 'ignore' });
}

function ensureJava() {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (r.error)
    fail('Java 17 or newer is required for QuestDB. Install it with: sudo apt-get install -y openjdk-17-jre-headless');
  const m = /version "(\d+)/.exec(r.stderr || '');
  if (!m || Number(m[1]) < 17)
    fail(`Java 17+ is required for QuestDB ${QUESTDB_VERSION}, found: ${(r.stderr || '').split('\n')[0]}`);
}

function ensureQuestDbJar() {
  if (fs.existsSync(QUESTDB_JAR)) return;
  const m2 = path.join(os.homedir(), '.m2', 'repository', 'org', 'questdb', 'questdb', QUESTDB_VERSION);
  const cached = path.join(m2, `questdb-${QUESTDB_VERSION}.jar`);
  if (!fs.existsSync(cached)) {
    if (!onPath('mvn'))
      fail('Maven (mvn) is needed to fetch the QuestDB jar. Install it with: sudo apt-get install -y maven');
    log(`fetching org.questdb:questdb:${QUESTDB_VERSION} from Maven Central (about 33 MB)`);
    // Quiet except for the transfers: which file is being downloaded, then its size and speed.
    run('mvn', [
      '-B',
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      '-Dorg.slf4j.simpleLogger.log.org.apache.maven.cli.transfer.Slf4jMavenTransferListener=info',
      'dependency:get',
      `-Dartifact=org.questdb:questdb:${QUESTDB_VERSION}`,
      '-Dtransitive=false',
    ]);
  }
  fs.mkdirSync(path.dirname(QUESTDB_JAR), { recursive: true });
  fs.copyFileSync(cached, `${QUESTDB_JAR}.tmp`);
  fs.renameSync(`${QUESTDB_JAR}.tmp`, QUESTDB_JAR);
}

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, mtime(p));
  }
  return newest;
}

function ensureBuild() {
  const stamp = path.join(ROOT, 'dist', '.build-stamp');
  const inputs = ['apps', 'libs'].map((d) => newestSource(path.join(ROOT, d)));
  const configs = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((f) => mtime(path.join(ROOT, f)));
  if (mtime(stamp) > Math.max(...inputs, ...configs)) return;
  log('building (npm run build)');
  run('npm', ['run', '--silent', 'build']);
  fs.writeFileSync(stamp, new Date().toISOString());
}

ensureNodeModules();
ensureRedis();
ensureJava();
ensureQuestDbJar();
ensureBuild();
// The tests run an aggregator with a clock set ahead (faketime, Debian's libfaketime) to show that no worker clock
// closes windows early.
// The dashboard's tests drive Debian's Chromium (browser downloads are not reachable); CI checks the alert rules with
// promtool, from Debian's prometheus package.
if (process.argv.includes('--test')) {
  ensureDebianPackage('faketime', 'faketime');
  ensureDebianPackage('chromium', 'chromium');
  if (ensureDebianPackage('promtool', 'prometheus')) {
    // The package starts a Prometheus service on 9090 that nothing here uses.
    spawnSync('sh', ['-c', 'service prometheus stop || systemctl stop prometheus'], { stdio: 'ignore' });
  }
}
// `npm run bench` loads the intake with wrk, a C load generator that leaves the CPU to the app; the other benchmarks
// run without it, so a machine where it cannot be installed only warns here.
if (process.argv.includes('--bench')) {
  if (!onPath('wrk') && typeof process.getuid === 'function' && process.getuid() !== 0) {
    log('wrk is not installed (sudo apt-get install -y wrk); the intake benchmark needs it');
  } else ensureDebianPackage('wrk', 'wrk');
}
log('ready');
