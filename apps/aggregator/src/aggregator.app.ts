import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '@clicks/config';
import { createHttpApp } from '@clicks/server';
import { AggregatorModule } from './aggregator.module';

export function createAggregatorApp(config: AppConfig): Promise<NestFastifyApplication> {
  return createHttpApp(AggregatorModule.forRoot(config), config);
}
