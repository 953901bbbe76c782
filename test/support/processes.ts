import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, testEnv } from './test-env';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { nodeFlags } = require('../../scripts/lib/node-flags') as { nodeFlags: (app: string) => string[] };

const ROOT = join(__dirname, '..', '..');

/** A built app (dist/) running as a real child process, so tests can kill -9, SIGSTOP or SIGTERM it. */
export class AppProcess {
  private constructor(
    readonly name: string,
    readonly url: string,
    readonly child: ChildProcess,
  ) {}

  static async start(
    app: 'aggregator' | 'ingest' | 'gateway',
    name: string,
    port: number,
    env: Record<string, string>,
  ) {
    const main = join(ROOT, 'dist', 'apps', app, 'src', 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" (npm test does it first)`);
    const portVar = { aggregator: 'AGGREGATOR_PORT', ingest: 'INGEST_PORT', gateway: 'GATEWAY_PORT' }[app];
    const logDir = join(process.env.TEST_TMP_DIR ?? '/tmp', 'logs');
    mkdirSync(logDir, { recursive: true });
    const log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, [...nodeFlags(app), main], {
      env: { ...process.env, ...testEnv(env), [portVar]: String(port), WORKER_ID: name },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    return Promise.resolve(new AppProcess(name, `http://127.0.0.1:${port}`, child));
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitReady(timeoutMs = 30000): Promise<void> {
    await eventually(
      () => fetch(`${this.url}/health/ready`).then((r) => r.status),
      (s) => s === 200,
      timeoutMs,
    );
  }

  signal(sig: NodeJS.Signals): void {
    if (this.alive) this.child.kill(sig);
  }

  async exited(timeoutMs = 30000): Promise<void> {
    if (!this.alive) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.name} did not exit within ${timeoutMs} ms`)), timeoutMs);
      this.child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  async kill9(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited();
  }

  async terminate(): Promise<void> {
    this.signal('SIGCONT');
    this.signal('SIGTERM');
    await this.exited();
  }
}
