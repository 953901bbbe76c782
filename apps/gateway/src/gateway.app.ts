import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '@clicks/config';
import { createHttpApp, serveOpenApi } from '@clicks/server';
import { serveDashboard } from './dashboard';
import { GatewayModule } from './gateway.module';
import { requireKeyForGraphql } from './graphql/graphql-key.hook';
import { GatewayErrorFilter } from './gateway-error.filter';

export async function createGatewayApp(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await createHttpApp(GatewayModule.forRoot(config), config, { errors: new GatewayErrorFilter() });
  requireKeyForGraphql(app);
  await serveDashboard(app);
  serveOpenApi(app, {
    title: 'Ad click gateway',
    description:
      'Exact click counts per ad, advertiser and campaign, and top ads over a window; GraphQL at /graphql. ' +
      'Every call needs `Authorization: Bearer <advertiser key or admin token>`.',
  });
  return app;
}
