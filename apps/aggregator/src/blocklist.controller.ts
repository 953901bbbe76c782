import { Body, Controller, Delete, Get, HttpCode, Param, Put, Res, UseFilters, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { BlocklistService } from '@clicks/actor';
import { InvalidCidrError, normalizeCidr } from '@clicks/fraud';
import { AdminTokenGuard, ApiProblems, fieldProblem, RedisUnavailableFilter } from '@clicks/server';
import { ADMIN_REDIS_PROBLEMS, BlocklistDoc, BlocklistEntryDoc } from './aggregator.docs';
import { blockBody, MAX_NOTE } from './bodies';

const CIDR = ApiParam({
  name: 'cidr',
  description: 'an IPv4/IPv6 address or CIDR range, URL-encoded (203.0.113.0%2F24)',
});

/**
 * The ip blocklist (rule `blocked_ip`): addresses and CIDR ranges, URL-encoded in the path (`203.0.113.0%2F24`). A
 * change is in force in every shard's stream within about 5 s; clicks before it keep their verdicts.
 */
@ApiTags('blocklist')
@ApiBearerAuth()
@ApiProblems(...ADMIN_REDIS_PROBLEMS)
@Controller('v1/admin/blocklist')
@UseGuards(AdminTokenGuard)
@UseFilters(RedisUnavailableFilter)
export class BlocklistController {
  constructor(private readonly blocklist: BlocklistService) {}

  @Get()
  @ApiOperation({ summary: 'The blocked addresses and ranges' })
  @ApiOkResponse({ type: BlocklistDoc })
  list() {
    return this.blocklist.list();
  }

  /** `{"note": "..."}` optional; 201 when added, 200 when it was listed already. */
  @Put(':cidr')
  @ApiOperation({ summary: 'Blocks an address or range: its clicks are invalid (blocked_ip) within about 5 s' })
  @CIDR
  @ApiBody({ required: false, schema: { $ref: getSchemaPath('BlockInput') } })
  @ApiCreatedResponse({ type: BlocklistEntryDoc, description: 'added' })
  @ApiOkResponse({ type: BlocklistEntryDoc, description: 'listed already' })
  @ApiProblems([400, 'an invalid cidr or note, named in errors[].field'])
  async block(@Param('cidr') cidr: string, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const parsed = blockBody.safeParse(body ?? {});
    if (!parsed.success) {
      if (parsed.error.issues[0]?.path.length === 0) throw fieldProblem('invalid-body', 'body', 'a JSON object');
      throw fieldProblem('invalid-body', 'note', `a string of at most ${MAX_NOTE} characters`);
    }
    const { entry, created } = await this.blocklist.block(cidrParam(cidr), parsed.data.note);
    void reply.status(created ? 201 : 200);
    return entry;
  }

  @Delete(':cidr')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unblocks an address or range' })
  @CIDR
  @ApiNoContentResponse({ description: 'removed' })
  @ApiProblems([400, 'an invalid cidr'], [404, 'not on the blocklist'])
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
