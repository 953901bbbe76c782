import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '@clicks/config';
import { createHttpApp } from '@clicks/server';
import { IngestModule } from './ingest.module';

export function createIngestApp(config: AppConfig): Promise<NestFastifyApplication> {
  return createHttpApp(IngestModule.forRoot(config), config);
}
