import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { ApiKeyGuard, RequireKey } from '@clicks/accounts';
import { Viewer } from '@clicks/query';
import { ViewerDoc } from './openapi.docs';
import { viewerOf } from './viewer-of';

/** Whose numbers the caller's key reads: how the dashboard learns the advertiser behind a key it was given. */
@ApiTags('clicks')
@ApiBearerAuth()
@Controller('v1')
@UseGuards(ApiKeyGuard)
@RequireKey('advertiser')
export class ViewerController {
  @Get('me')
  @ApiOperation({ summary: 'The viewer behind the key: the admin, or an advertiser and its id' })
  @ApiOkResponse({ type: ViewerDoc })
  me(@Req() req: FastifyRequest): Viewer {
    return viewerOf(req);
  }
}
