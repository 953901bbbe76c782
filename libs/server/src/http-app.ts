import { DynamicModule, Logger, LogLevel, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { fastify } from 'fastify';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppConfig, loadConfig } from '@clicks/config';
import { ClickMetrics } from '@clicks/metrics';
import { loggingModule, logRequests } from './logging';
import { ProblemFilter } from './problem.filter';
import { isClusterWorker, runPrimary } from './process-cluster';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

export const MAX_BODY_BYTES = 5 * 1024 * 1024;

@Module({})
class HttpRootModule {}

export interface HttpAppOptions {
  /** The app's name in logs (default: the module's name without "Module", lower-cased). */
  name?: string;
  /**
   * Run on the project's own `fastify` rather than the copy @nestjs/platform-fastify pins (5.11): that one binds
   * an AsyncResource per request body through Node's deprecation wrapper, about 5 % of a single click's CPU.
   * No versioned routes then (Nest's version constraint lives in the adapter's own instance).
   */
  projectFastify?: boolean;
  /** The app's error filter (default: a ProblemFilter without app-specific error types). */
  errors?: ProblemFilter;
}

/** A Nest application on Fastify with this project's JSON logging and shutdown behaviour. */
export async function createHttpApp(
  module: DynamicModule,
  config: AppConfig,
  options: HttpAppOptions = {},
): Promise<NestFastifyApplication> {
  const name = options.name ?? module.module.name.replace(/Module$/, '').toLowerCase();
  // Click tokens travel in the path (/v1/r/:token) and are longer than Fastify's default 100-character limit.
  const fastifyOptions = { bodyLimit: MAX_BODY_BYTES, trustProxy: false, routerOptions: { maxParamLength: 2048 } };
  const adapter = new FastifyAdapter(
    options.projectFastify
      ? (fastify(fastifyOptions) as unknown as ConstructorParameters<typeof FastifyAdapter>[0])
      : fastifyOptions,
  );
  const root: DynamicModule = { module: HttpRootModule, imports: [loggingModule(name, config), module] };
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    logger: LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1),
    bufferLogs: true,
  });
  app.useLogger(app.get(PinoLogger));
  // One catch-all filter per app: every error, including Nest's 404 for unknown routes and Fastify's body errors,
  // is answered as application/problem+json (controller-scoped filters, e.g. RedisUnavailableFilter, come first).
  app.useGlobalFilters(options.errors ?? new ProblemFilter());
  recordHttpRequests(app);
  logRequests(app);
  return app;
}

/** Every request's duration by method, route template and status (`clicks_http_request_duration_seconds`). */
function recordHttpRequests(app: NestFastifyApplication): void {
  const metrics = app.get(ClickMetrics, { strict: false }).http;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (req, reply, done) => {
      const route = req.routeOptions.url;
      metrics.observe({ method: req.method, route, status: reply.statusCode, seconds: reply.elapsedTime / 1000 });
      done();
    });
}

/** Listens and returns the bound address (port 0 picks a free port, as tests do). */
export async function listen(app: NestFastifyApplication, port: number, host: string): Promise<string> {
  await app.listen(port, host);
  return app.getUrl();
}

/**
 * Process entry point of an app: load config once, build the app, listen; exit 1 on a startup error. With
 * `processes` above 1 this process becomes the primary of that many workers sharing the port (see runPrimary),
 * each of which runs the app as a single process would.
 */
export function runMain(
  name: string,
  create: (config: AppConfig) => Promise<NestFastifyApplication>,
  port: (config: AppConfig) => number,
  processes: (config: AppConfig) => number = () => 1,
): void {
  const start = async () => {
    const config = loadConfig();
    const workers = processes(config);
    if (workers > 1 && !isClusterWorker()) return runPrimary(name, workers, config.shutdownGraceMs);
    const app = await create(config);
    // SIGTERM/SIGINT: app.close() runs the shutdown hooks (turn unready, drain intake, flush and hand off shards),
    // within SHUTDOWN_GRACE_MS; a clean shutdown exits 0. Only the first signal counts (Ctrl-C sends SIGINT to a
    // cluster worker and its primary, which then sends SIGTERM).
    let signalled = false;
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        if (signalled) return;
        signalled = true;
        void shutDown(app, name, config.shutdownGraceMs, signal);
      });
    }
    const url = await listen(app, port(config), config.host);
    new Logger(name).log(`listening on ${url}`);
  };
  start().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

async function shutDown(app: NestFastifyApplication, name: string, graceMs: number, signal: string): Promise<void> {
  const log = new Logger(name);
  log.log(`${signal}: shutting down (grace ${graceMs} ms)`);
  setTimeout(() => {
    log.error(`shutdown took longer than ${graceMs} ms; exiting`);
    process.exit(1);
  }, graceMs).unref();
  try {
    await app.close();
    process.exit(0);
  } catch (e) {
    log.error(`shutdown failed: ${String(e)}`);
    process.exit(1);
  }
}
