import { Args, Context, Query, Resolver } from '@nestjs/graphql';
import { FastifyRequest } from 'fastify';
import { AdClicksQuery, RangeParams, RollupQuery, TopAdsQuery } from '@clicks/query';
import { viewerOf } from '../viewer-of';
import {
  AdClicks,
  AdClicksArgs,
  AdvertiserClicksArgs,
  CampaignClicksArgs,
  RangeArgs,
  RollupArgs,
  RollupClicks,
  TopAds,
  TopAdsArgs,
} from './click.types';

// GraphQL hands over numbers, dates (its DateTime scalar parsed them) and nulls; the query layer validates the same
// strings REST receives.
export function windowOf(a: RangeArgs): RangeParams {
  return {
    minutes: a.minutes === undefined || a.minutes === null ? undefined : String(a.minutes),
    from: a.from?.toISOString(),
    to: a.to?.toISOString(),
  };
}

const rollupOf = (a: RollupArgs) => ({ ...windowOf(a), granularity: a.granularity, country: a.country });

/** The REST queries over GraphQL, for the same principal (the key hook put it on the request). */
@Resolver()
export class ClicksResolver {
  constructor(
    private readonly adClicksQuery: AdClicksQuery,
    private readonly topAdsQuery: TopAdsQuery,
    private readonly rollups: RollupQuery,
  ) {}

  @Query(() => AdClicks, { description: 'Clicks of one ad per bucket; every bucket present, the open one partial' })
  adClicks(@Args() a: AdClicksArgs, @Context('req') req: FastifyRequest): Promise<AdClicks> {
    const params = { ...windowOf(a), granularity: a.granularity, filter: a.filter ?? {} };
    return this.adClicksQuery.run(a.adId, params, viewerOf(req));
  }

  @Query(() => TopAds, { description: 'The most clicked ads: clicks descending, then adId ascending' })
  topAds(@Args() a: TopAdsArgs, @Context('req') req: FastifyRequest): Promise<TopAds> {
    return this.topAdsQuery.run({ ...windowOf(a), n: a.n, filter: a.filter ?? {} }, viewerOf(req));
  }

  @Query(() => RollupClicks, { description: "Clicks of all the advertiser's ads together (an advertiser: its own)" })
  advertiserClicks(@Args() a: AdvertiserClicksArgs, @Context('req') req: FastifyRequest): Promise<RollupClicks> {
    return this.rollups.run('advertiser', a.advertiserId, rollupOf(a), viewerOf(req));
  }

  @Query(() => RollupClicks, { description: "Clicks of the campaign's ads together (an advertiser: its own in it)" })
  campaignClicks(@Args() a: CampaignClicksArgs, @Context('req') req: FastifyRequest): Promise<RollupClicks> {
    return this.rollups.run('campaign', a.campaignId, rollupOf(a), viewerOf(req));
  }
}
