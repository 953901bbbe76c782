import { randomUUID } from 'node:crypto';
import { DynamicModule } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { AppConfig } from '@clicks/config';

/** Key ids (`ckp_…`, `cka_…`) travel in admin URLs; logs keep only their kind. */
export function maskKeyIds(text: string): string {
  return text.replace(/\b(ck[pa])_[0-9a-f]{16}\b/g, '$1_…');
}

const PINO_LEVELS = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/**
 * Routes whose requests are not logged: the click hot paths (a child logger per request cost ~12% of intake CPU in
 * the benchmark profile; their errors are still logged by the services), and probes and scrapes, which come every
 * few seconds and say nothing new (readiness failures are logged by terminus).
 */
const UNLOGGED_ROUTES = new Set(['/v1/clicks', '/v1/clicks/batch', '/v1/r/:token', '/health/live', '/health/ready']);
const unlogged = (route: string | undefined) =>
  route === undefined || route === '/metrics' || UNLOGGED_ROUTES.has(route);

/**
 * Structured JSON logs (pino): one object per line with the app name and the Nest context (e.g. `ShardActor s7`).
 * nestjs-pino's per-request middleware is not used: it binds each request's logger with AsyncLocalStorage, and on
 * Node 20 and 22 the first such request turns on async hooks for the whole process, so every later promise of every
 * request and shard loop pays for them. Requests are logged by `logRequests` instead.
 */
export function loggingModule(app: string, config: AppConfig): DynamicModule {
  return LoggerModule.forRoot({
    forRoutes: [],
    pinoHttp: {
      name: app,
      level: PINO_LEVELS[config.logLevel],
      transport: config.prettyLogs ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
    },
  });
}

/**
 * One log line per request (debug; warn for 5xx) with its id (X-Request-Id, or a new one sent back), method, URL
 * with key ids masked, status and time. No header is logged, so no Authorization or cookie can leak.
 */
export function logRequests(app: NestFastifyApplication): void {
  const server = app.getHttpAdapter().getInstance();
  server.addHook('onRequest', (req, reply, done) => {
    if (!unlogged(req.routeOptions.url)) {
      const given = req.headers['x-request-id'];
      void reply.header('x-request-id', typeof given === 'string' && given !== '' ? given : randomUUID());
    }
    done();
  });
  server.addHook('onResponse', (req, reply, done) => {
    const level = reply.statusCode >= 500 ? 'warn' : 'debug';
    const logger = PinoLogger.root;
    if (!unlogged(req.routeOptions.url) && logger.isLevelEnabled(level)) {
      // Flat fields: pino-http's req/res serializers expect Node's own request and response objects.
      const line = {
        reqId: reply.getHeader('x-request-id'),
        method: req.method,
        url: maskKeyIds(req.url),
        status: reply.statusCode,
        responseTimeMs: Math.round(reply.elapsedTime),
      };
      logger[level](line, 'request completed');
    }
    done();
  });
}
