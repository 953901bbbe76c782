import { Args, Context, Query, Resolver } from '@nestjs/graphql';
import { FastifyRequest } from 'fastify';
import { AdRegistry } from '@clicks/ads';
import { parseAdId } from '@clicks/query';
import { viewerOf } from '../viewer-of';
import { AdInfo } from './click.types';

@Resolver(() => AdInfo)
export class AdsResolver {
  constructor(private readonly registry: AdRegistry) {}

  @Query(() => AdInfo, {
    nullable: true,
    description: 'Registry metadata of an ad; null when it is not registered (or, for an advertiser, not its own)',
  })
  async ad(@Args('id') id: string, @Context('req') req: FastifyRequest): Promise<AdInfo | null> {
    const ad = await this.registry.get(parseAdId(id, 'id'));
    const viewer = viewerOf(req);
    if (!ad || (viewer.kind === 'advertiser' && ad.advertiserId !== viewer.advertiserId)) return null;
    return { id: ad.adId, targetUrl: ad.targetUrl, advertiserId: ad.advertiserId, campaignId: ad.campaignId };
  }
}
