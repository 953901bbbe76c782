import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AppConfig, ConfigModule } from '@clicks/config';
import { ClickIntakeService } from '@clicks/intake';
import { RedisModule } from '@clicks/stream';
import { ClicksController } from './clicks.controller';
import { HealthController } from './health.controller';

@Module({})
export class IngestModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: IngestModule,
      imports: [ConfigModule.forRoot(config), RedisModule, TerminusModule],
      controllers: [ClicksController, HealthController],
      providers: [ClickIntakeService],
    };
  }
}
