import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '@clicks/config';
import { createHttpApp, serveOpenApi } from '@clicks/server';
import { AGGREGATOR_SCHEMAS } from './aggregator.docs';
import { AggregatorModule } from './aggregator.module';

export async function createAggregatorApp(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await createHttpApp(AggregatorModule.forRoot(config), config);
  serveOpenApi(app, {
    title: 'Ad click aggregator (operators)',
    description:
      'Shard ownership and lag, hot-ad salting, the ip blocklist and reconciliation of the counts against the raw ' +
      'archive. Every /v1 call needs `Authorization: Bearer <admin token>`; errors are application/problem+json ' +
      '(RFC 9457).',
    schemas: AGGREGATOR_SCHEMAS,
  });
  return app;
}
