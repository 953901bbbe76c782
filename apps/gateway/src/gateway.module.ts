import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AppConfig, ConfigModule } from '@clicks/config';
import { AdClicksQuery } from '@clicks/query';
import { QuestDbModule } from '@clicks/store';
import { RedisModule } from '@clicks/stream';
import { AdClicksController } from './ad-clicks.controller';
import { HealthController } from './health.controller';

@Module({})
export class GatewayModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [ConfigModule.forRoot(config), RedisModule, QuestDbModule, TerminusModule],
      controllers: [AdClicksController, HealthController],
      providers: [AdClicksQuery],
    };
  }
}
