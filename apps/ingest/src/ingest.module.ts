import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AccountsModule } from '@clicks/accounts';
import { AdRegistry } from '@clicks/ads';
import { AppConfig, ConfigModule } from '@clicks/config';
import { DrainState } from '@clicks/server';
import { ClickIntakeService, RedirectClickService } from '@clicks/intake';
import { MetricsModule } from '@clicks/metrics';
import { QuestDbModule } from '@clicks/store';
import { HotAdRoutes, HotAdRoutesListener, RedisModule } from '@clicks/stream';
import { AccountsController } from './accounts.controller';
import { AdsController } from './ads.controller';
import { ClicksController } from './clicks.controller';
import { HealthController } from './health.controller';
import { RedirectController } from './redirect.controller';

@Module({})
export class IngestModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: IngestModule,
      imports: [
        ConfigModule.forRoot(config),
        RedisModule,
        QuestDbModule,
        TerminusModule,
        MetricsModule.forApp('ingest'),
        AccountsModule,
      ],
      controllers: [
        HotAdRoutesListener,
        ClicksController,
        AdsController,
        AccountsController,
        RedirectController,
        HealthController,
      ],
      providers: [HotAdRoutes, ClickIntakeService, AdRegistry, RedirectClickService, DrainState],
    };
  }
}
