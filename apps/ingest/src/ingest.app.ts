import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '@clicks/config';
import { connectControlBus, createHttpApp } from '@clicks/server';
import { IngestModule } from './ingest.module';

export async function createIngestApp(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await createHttpApp(IngestModule.forRoot(config), config);
  // Batch intake also takes NDJSON; the controller splits the lines so one bad line rejects only its event.
  app
    .getHttpAdapter()
    .getInstance()
    .addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  connectControlBus(app, config);
  return app;
}
