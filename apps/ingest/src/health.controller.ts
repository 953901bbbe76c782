import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { ClickIntakeService } from '@clicks/intake';
import { DrainState } from '@clicks/server';
import { RedisHealthIndicator } from '@clicks/stream';
import { LiveDoc } from './ingest.docs';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisHealthIndicator,
    private readonly intake: ClickIntakeService,
    private readonly drain: DrainState,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ type: LiveDoc })
  live() {
    return { status: 'ok' };
  }

  /** Ready when Redis answers, the group-commit buffer has room and no shutdown has begun. */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: Redis answers, the intake buffer has room, no shutdown has begun' })
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.redis.check(),
      () => {
        const i = this.indicators.check('intake');
        const inFlight = this.intake.inFlight;
        if (this.drain.draining) return i.down({ message: 'shutting down' });
        const limit = this.config.intake.groupCommit.maxInFlight;
        return inFlight < limit * 0.9 ? i.up({ inFlight }) : i.down({ message: `buffer full (${inFlight})` });
      },
    ]);
  }
}
