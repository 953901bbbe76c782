import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '@clicks/config';

const PINO_LEVELS = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/**
 * Structured JSON logs (pino): one object per line with the app name, the request id (X-Request-Id or a new one)
 * and the Nest context (e.g. `ShardActor s7`). Secrets in headers are redacted.
 */
export function loggingModule(app: string, config: AppConfig): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      name: app,
      level: PINO_LEVELS[config.logLevel],
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const id = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      // Request lines only at debug: at tens of thousands of clicks a second, logs must not be the bottleneck.
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'warn' : 'debug'),
      // Probes and scrapes come every few seconds and say nothing new; readiness failures are logged by terminus.
      autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
      transport: config.prettyLogs ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
    },
  });
}
