import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ShardSupervisor } from '@clicks/actor';
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
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Ready when both stores answer and every shard of this worker has an owning actor. */
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
    ]);
  }
}
