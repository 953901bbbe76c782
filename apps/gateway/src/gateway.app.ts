import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '@clicks/config';
import { createHttpApp } from '@clicks/server';
import { GatewayModule } from './gateway.module';
import { QueryParamFilter } from './query-param.filter';

export async function createGatewayApp(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await createHttpApp(GatewayModule.forRoot(config), config);
  app.useGlobalFilters(new QueryParamFilter());
  const openapi = new DocumentBuilder()
    .setTitle('Ad click gateway')
    .setDescription('Exact click counts per ad and top ads over a window; GraphQL at /graphql')
    .setVersion('1')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openapi), {
    jsonDocumentUrl: 'docs/openapi.json',
  });
  return app;
}
