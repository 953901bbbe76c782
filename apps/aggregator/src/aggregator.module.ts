import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ShardAdminService, ShardSupervisor } from '@clicks/actor';
import { AppConfig, ConfigModule } from '@clicks/config';
import { QuestDbModule } from '@clicks/store';
import { RedisModule } from '@clicks/stream';
import { HealthController } from './health.controller';
import { ShardsController } from './shards.controller';

@Module({})
export class AggregatorModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AggregatorModule,
      imports: [ConfigModule.forRoot(config), RedisModule, QuestDbModule, TerminusModule],
      controllers: [HealthController, ShardsController],
      providers: [ShardSupervisor, ShardAdminService],
    };
  }
}
