import { DynamicModule, Logger, LogLevel, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppConfig, loadConfig } from '@clicks/config';
import { loggingModule } from './logging';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

export const MAX_BODY_BYTES = 5 * 1024 * 1024;

@Module({})
class HttpRootModule {}

/** A Nest application on Fastify with this project's JSON logging and shutdown behaviour. */
export async function createHttpApp(
  module: DynamicModule,
  config: AppConfig,
  name = module.module.name.replace(/Module$/, '').toLowerCase(),
): Promise<NestFastifyApplication> {
  // Click tokens travel in the path (/v1/r/:token) and are longer than Fastify's default 100-character limit.
  const adapter = new FastifyAdapter({ bodyLimit: MAX_BODY_BYTES, trustProxy: false, maxParamLength: 2048 });
  const root: DynamicModule = { module: HttpRootModule, imports: [loggingModule(name, config), module] };
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    logger: LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1),
    bufferLogs: true,
  });
  app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks();
  return app;
}

/** Listens and returns the bound address (port 0 picks a free port, as tests do). */
export async function listen(app: NestFastifyApplication, port: number, host: string): Promise<string> {
  await app.listen(port, host);
  return app.getUrl();
}

/** Process entry point of an app: load config once, build the app, listen; exit 1 on a startup error. */
export function runMain(
  name: string,
  create: (config: AppConfig) => Promise<NestFastifyApplication>,
  port: (config: AppConfig) => number,
): void {
  const start = async () => {
    const config = loadConfig();
    const app = await create(config);
    const url = await listen(app, port(config), config.host);
    new Logger(name).log(`listening on ${url}`);
  };
  // Shutdown (SIGTERM) runs Nest's hooks: drain, flush, hand off. They get SHUTDOWN_GRACE_MS, then the process ends.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const grace = loadConfig().shutdownGraceMs;
      setTimeout(() => {
        new Logger(name).error(`shutdown took longer than ${grace} ms; exiting`);
        process.exit(1);
      }, grace).unref();
    });
  }
  start().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
