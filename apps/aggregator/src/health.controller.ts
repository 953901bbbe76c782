import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ShardAdminService, ShardSupervisor } from '@clicks/actor';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { QuestDbHealthIndicator } from '@clicks/store';
import { RedisHealthIndicator } from '@clicks/stream';

@ApiTags('health')
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

  /** Live unless a shard's loop is wedged (an await that never settles): then only a restart helps. */
  @Get('live')
  @ApiOperation({ summary: 'Liveness: no shard loop is wedged (else only a restart helps)' })
  @HealthCheck()
  live() {
    return this.health.check([
      () => {
        const i = this.indicators.check('loops');
        const wedged = this.supervisor.wedgedShards();
        return wedged.length === 0 ? i.up() : i.down({ message: `shard loops wedged: ${wedged.join(',')}` });
      },
    ]);
  }

  /** Ready when both stores answer, this worker owns every shard assigned to it and none lags too far behind. */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: Redis and QuestDB answer, assigned shards owned and progressing, lag bounded' })
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.redis.check(),
      () => this.questdb.check(),
      () => {
        const i = this.indicators.check('shards');
        return this.supervisor.ready ? i.up() : i.down({ message: 'shards not yet owned' });
      },
      () => {
        const i = this.indicators.check('progress');
        const stalled = this.supervisor.stalledShards();
        return stalled.length === 0 ? i.up() : i.down({ message: `shards not progressing: ${stalled.join(',')}` });
      },
      async () => {
        const i = this.indicators.check('lag');
        // Unknown while Redis does not answer: down (503), never an error (500).
        const lag = await this.admin
          .maxOwnedLag()
          .catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
        if (lag instanceof Error) return i.down({ message: `lag unknown: ${lag.message}` });
        const limit = this.config.aggregation.readyMaxLag;
        return lag <= limit ? i.up({ lag }) : i.down({ message: `lag ${lag} entries above ${limit}` });
      },
    ]);
  }
}
