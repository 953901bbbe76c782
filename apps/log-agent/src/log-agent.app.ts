import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '@clicks/config';
import { connectControlBus, createHttpApp } from '@clicks/server';
import { LogAgentModule } from './log-agent.module';

export async function createLogAgentApp(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await createHttpApp(LogAgentModule.forRoot(config), config);
  connectControlBus(app, config);
  return app;
}
