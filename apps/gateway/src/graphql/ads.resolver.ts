import { Args, Query, Resolver } from '@nestjs/graphql';
import { AdRegistry } from '@clicks/ads';
import { parseAdId } from '@clicks/query';
import { AdInfo } from './click.types';

@Resolver(() => AdInfo)
export class AdsResolver {
  constructor(private readonly registry: AdRegistry) {}

  @Query(() => AdInfo, { nullable: true, description: 'Registry metadata of an ad; null when it is not registered' })
  async ad(@Args('id') id: string): Promise<AdInfo | null> {
    const ad = await this.registry.get(parseAdId(id, 'id'));
    return ad && { id: ad.adId, targetUrl: ad.targetUrl, advertiserId: ad.advertiserId, campaignId: ad.campaignId };
  }
}
