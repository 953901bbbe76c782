import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '@clicks/config';
import { createHttpApp } from '@clicks/server';
import { GatewayModule } from './gateway.module';
import { QueryParamFilter } from './query-param.filter';

export async function createGatewayApp(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await createHttpApp(GatewayModule.forRoot(config), config);
  app.useGlobalFilters(new QueryParamFilter());
  return app;
}
