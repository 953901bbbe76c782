import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ShardAdminService, ShardSupervisor } from '@clicks/actor';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { QuestDbHealthIndicator } from '@clicks/store';
import { RedisHealthIndicator } from '@clicks/stream';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisHealthIndicator,
    private readonly questdb: QuestDbHealthIndicator,
    private readonly supervisor: ShardSupervisor,
    private readonly admin: ShardAdminService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Ready when both stores answer, this worker owns every shard assigned to it and none lags too far behind. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.redis.check(),
      () => this.questdb.check(),
      () => {
        const i = this.indicators.check('shards');
        return this.supervisor.ready ? i.up() : i.down({ message: 'shards not yet owned' });
      },
      async () => {
        const i = this.indicators.check('lag');
        const lag = await this.admin.maxOwnedLag();
        const limit = this.config.aggregation.readyMaxLag;
        return lag <= limit ? i.up({ lag }) : i.down({ message: `lag ${lag} entries above ${limit}` });
      },
    ]);
  }
}
