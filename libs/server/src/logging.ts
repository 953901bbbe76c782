import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '@clicks/config';

/** Key ids (`ckp_…`, `cka_…`) travel in admin URLs; logs keep only their kind. */
export function maskKeyIds(text: string): string {
  return text.replace(/\b(ck[pa])_[0-9a-f]{16}\b/g, '$1_…');
}

const PINO_LEVELS = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/**
 * Structured JSON logs (pino): one object per line with the app name, the request id (X-Request-Id or a new one)
 * and the Nest context (e.g. `ShardActor s7`). Secrets in headers are redacted, key ids in URLs masked.
 */
export function loggingModule(app: string, config: AppConfig): DynamicModule {
  return LoggerModule.forRoot({
    // The click hot paths skip the per-request logger (a child logger per request cost ~12% of intake CPU in the
    // benchmark profile); their errors are still logged by the services, without a request id.
    exclude: [
      { method: RequestMethod.POST, path: 'v1/clicks' },
      { method: RequestMethod.POST, path: 'v1/clicks/batch' },
      { method: RequestMethod.GET, path: 'v1/r/:token' },
      // Probes and scrapes come every few seconds and say nothing new; readiness failures are logged by terminus.
      { method: RequestMethod.GET, path: 'health/live' },
      { method: RequestMethod.GET, path: 'health/ready' },
      { method: RequestMethod.GET, path: 'metrics' },
    ],
    pinoHttp: {
      name: app,
      level: PINO_LEVELS[config.logLevel],
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const id = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      serializers: {
        req: (req: { url?: string; params?: unknown }) => {
          if (typeof req.url === 'string') req.url = maskKeyIds(req.url);
          if (req.params) req.params = JSON.parse(maskKeyIds(JSON.stringify(req.params))) as unknown;
          return req;
        },
      },
      // Request lines only at debug: at tens of thousands of clicks a second, logs must not be the bottleneck.
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'warn' : 'debug'),
      transport: config.prettyLogs ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
    },
  });
}
