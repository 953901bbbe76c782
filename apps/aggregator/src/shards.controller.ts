import { Controller, Get } from '@nestjs/common';
import { ShardSupervisor } from '@clicks/actor';

@Controller('v1/admin/shards')
export class ShardsController {
  constructor(private readonly supervisor: ShardSupervisor) {}

  @Get()
  list() {
    return { shards: this.supervisor.stats() };
  }
}
