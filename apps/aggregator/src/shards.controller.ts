import { Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ShardAdminService, ShardSupervisor } from '@clicks/actor';
import { AdminTokenGuard, ApiProblems } from '@clicks/server';
import { ADMIN_PROBLEMS, DrainedDoc, RebalanceDoc, ShardsDoc, UndrainedDoc } from './aggregator.docs';

const WORKER = ApiParam({ name: 'id', description: 'a workerId (as GET /v1/admin/shards lists them)' });

@ApiTags('shards')
@ApiBearerAuth()
@ApiProblems(...ADMIN_PROBLEMS)
@Controller('v1/admin')
@UseGuards(AdminTokenGuard)
export class ShardsController {
  constructor(
    private readonly admin: ShardAdminService,
    private readonly supervisor: ShardSupervisor,
  ) {}

  /** Per shard: owner, epoch, last applied id, lag, pending, watermark, last flush, trim floor. */
  @Get('shards')
  @ApiOperation({
    summary: 'Every shard: owner, epoch, lag, pending, trim floor; live statistics of those hosted here',
  })
  @ApiOkResponse({ type: ShardsDoc })
  async shards() {
    return { worker: this.supervisor.workers, shards: await this.admin.list() };
  }

  /** Recompute the assignment now (on every worker at its next heartbeat, here at once). */
  @Post('rebalance')
  @HttpCode(202)
  @ApiOperation({ summary: 'Recomputes the shard assignment now (other workers at their next heartbeat)' })
  @ApiAcceptedResponse({ type: RebalanceDoc })
  rebalance() {
    this.supervisor.rebalanceNow();
    return { rebalancing: true, worker: this.supervisor.workers };
  }

  /** Moves every shard off a worker (before maintenance); DELETE takes it back into the assignment. */
  @Post('workers/:id/drain')
  @HttpCode(202)
  @ApiOperation({ summary: 'Moves every shard off a worker (before maintenance)' })
  @WORKER
  @ApiAcceptedResponse({ type: DrainedDoc })
  async drain(@Param('id') id: string) {
    await this.supervisor.drain(id);
    return { drained: id };
  }

  @Delete('workers/:id/drain')
  @ApiOperation({ summary: 'Takes a drained worker back into the assignment' })
  @WORKER
  @ApiOkResponse({ type: UndrainedDoc })
  async undrain(@Param('id') id: string) {
    await this.supervisor.undrain(id);
    return { undrained: id };
  }
}
