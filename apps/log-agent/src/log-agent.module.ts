import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AppConfig, ConfigModule } from '@clicks/config';
import { ClickIntakeService, ClickLogShipper } from '@clicks/intake';
import { MetricsModule } from '@clicks/metrics';
import { QuestDbModule } from '@clicks/store';
import { HotAdRoutes, HotAdRoutesListener, RedisModule } from '@clicks/stream';
import { HealthController } from './health.controller';

@Module({})
export class LogAgentModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LogAgentModule,
      imports: [
        ConfigModule.forRoot(config),
        RedisModule,
        QuestDbModule,
        TerminusModule,
        MetricsModule.forApp('log-agent'),
      ],
      controllers: [HotAdRoutesListener, HealthController],
      providers: [HotAdRoutes, ClickIntakeService, ClickLogShipper],
    };
  }
}
