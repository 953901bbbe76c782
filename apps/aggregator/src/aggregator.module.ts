import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { BlocklistService, HotAdAdminService, ShardAdminService, ShardMetrics, ShardSupervisor } from '@clicks/actor';
import { ClientsModule } from '@nestjs/microservices';
import { APP_CONFIG, AppConfig, ConfigModule } from '@clicks/config';
import { MetricsModule } from '@clicks/metrics';
import { RECONCILIATION_LEADER, ReconciliationMonitor, ReconciliationService } from '@clicks/reconciliation';
import { QuestDbModule } from '@clicks/store';
import { CONTROL_BUS, controlBusOptions, RedisModule } from '@clicks/stream';
import { BlocklistController } from './blocklist.controller';
import { HealthController } from './health.controller';
import { HotAdsController } from './hot-ads.controller';
import { ReconciliationController } from './reconciliation.controller';
import { ShardsController } from './shards.controller';

@Module({})
export class AggregatorModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AggregatorModule,
      imports: [
        ConfigModule.forRoot(config),
        RedisModule,
        QuestDbModule,
        TerminusModule,
        MetricsModule.forApp('aggregator'),
        ClientsModule.registerAsync([
          { name: CONTROL_BUS, inject: [APP_CONFIG], useFactory: (c: AppConfig) => controlBusOptions(c.redis) },
        ]),
      ],
      controllers: [
        HealthController,
        ShardsController,
        HotAdsController,
        BlocklistController,
        ReconciliationController,
      ],
      providers: [
        ShardSupervisor,
        BlocklistService,
        ShardAdminService,
        HotAdAdminService,
        ShardMetrics,
        ReconciliationService,
        ReconciliationMonitor,
        {
          // The worker the assignment gives shard s0: one per deployment, and none among archive-only processes.
          provide: RECONCILIATION_LEADER,
          inject: [ShardSupervisor],
          useFactory: (s: ShardSupervisor) => () => s.workers.ownedShards.includes(0),
        },
      ],
    };
  }
}
