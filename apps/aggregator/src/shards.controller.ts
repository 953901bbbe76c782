import { Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ShardAdminService, ShardSupervisor } from '@clicks/actor';
import { AdminTokenGuard } from '@clicks/server';

@Controller('v1/admin')
@UseGuards(AdminTokenGuard)
export class ShardsController {
  constructor(
    private readonly admin: ShardAdminService,
    private readonly supervisor: ShardSupervisor,
  ) {}

  /** Per shard: owner, epoch, last applied id, lag, pending, watermark, last flush, trim floor. */
  @Get('shards')
  async shards() {
    return { worker: this.supervisor.workers, shards: await this.admin.list() };
  }

  /** Recompute the assignment now (on every worker at its next heartbeat, here at once). */
  @Post('rebalance')
  @HttpCode(202)
  rebalance() {
    this.supervisor.rebalanceNow();
    return { rebalancing: true, worker: this.supervisor.workers };
  }

  /** Moves every shard off a worker (before maintenance); DELETE takes it back into the assignment. */
  @Post('workers/:id/drain')
  @HttpCode(202)
  async drain(@Param('id') id: string) {
    await this.supervisor.drain(id);
    return { drained: id };
  }

  @Delete('workers/:id/drain')
  async undrain(@Param('id') id: string) {
    await this.supervisor.undrain(id);
    return { undrained: id };
  }
}
