import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ClickLogShipper } from '@clicks/intake';
import { RedisHealthIndicator } from '@clicks/stream';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisHealthIndicator,
    private readonly shipper: ClickLogShipper,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.redis.check(),
      () => {
        const check = this.indicators.check('tailer');
        const { stats } = this.shipper;
        return this.shipper.isRunning ? check.up({ ...stats }) : check.down({ message: 'not tailing' });
      },
    ]);
  }
}
