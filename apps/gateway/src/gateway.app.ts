import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '@clicks/config';
import { createHttpApp } from '@clicks/server';
import { serveDashboard } from './dashboard';
import { GatewayModule } from './gateway.module';
import { requireKeyForGraphql } from './graphql/graphql-key.hook';
import { GatewayErrorFilter } from './gateway-error.filter';

export async function createGatewayApp(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await createHttpApp(GatewayModule.forRoot(config), config, { errors: new GatewayErrorFilter() });
  requireKeyForGraphql(app);
  await serveDashboard(app);
  const openapi = new DocumentBuilder()
    .setTitle('Ad click gateway')
    .setDescription(
      'Exact click counts per ad, advertiser and campaign, and top ads over a window; GraphQL at /graphql. ' +
        'Every call needs `Authorization: Bearer <advertiser key or admin token>`.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openapi), {
    jsonDocumentUrl: 'docs/openapi.json',
  });
  return app;
}
