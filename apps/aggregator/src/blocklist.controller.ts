import { Body, Controller, Delete, Get, HttpCode, Param, Put, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BlocklistService } from '@clicks/actor';
import { InvalidCidrError, normalizeCidr } from '@clicks/fraud';
import { AdminTokenGuard, fieldProblem, RedisUnavailableFilter } from '@clicks/server';

const MAX_NOTE = 200;

/**
 * The ip blocklist (rule `blocked_ip`): addresses and CIDR ranges, URL-encoded in the path (`203.0.113.0%2F24`). A
 * change is in force in every shard's stream within about 5 s; clicks before it keep their verdicts.
 */
@Controller('v1/admin/blocklist')
@UseGuards(AdminTokenGuard)
@UseFilters(RedisUnavailableFilter)
export class BlocklistController {
  constructor(private readonly blocklist: BlocklistService) {}

  @Get()
  list() {
    return this.blocklist.list();
  }

  /** `{"note": "..."}` optional; 201 when added, 200 when it was listed already. */
  @Put(':cidr')
  async block(@Param('cidr') cidr: string, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const note = (body as { note?: unknown } | null)?.note;
    if (note !== undefined && (typeof note !== 'string' || note.length > MAX_NOTE)) {
      throw fieldProblem('invalid-body', 'note', `a string of at most ${MAX_NOTE} characters`);
    }
    const { entry, created } = await this.blocklist.block(cidrParam(cidr), note);
    void reply.status(created ? 201 : 200);
    return entry;
  }

  @Delete(':cidr')
  @HttpCode(204)
  async unblock(@Param('cidr') cidr: string): Promise<void> {
    if (!(await this.blocklist.unblock(cidrParam(cidr)))) {
      throw fieldProblem('not-found', 'cidr', `${cidr} is not on the blocklist`);
    }
  }
}

/** The path's address or range, checked here so that a bad one is a 400 naming the field. */
function cidrParam(cidr: string): string {
  try {
    return normalizeCidr(cidr);
  } catch (e) {
    if (e instanceof InvalidCidrError) throw fieldProblem('invalid-parameter', 'cidr', e.message);
    throw e;
  }
}
