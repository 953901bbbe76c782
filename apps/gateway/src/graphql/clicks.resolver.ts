import { Args, Query, Resolver } from '@nestjs/graphql';
import { AdClicksQuery, RangeParams, TopAdsQuery } from '@clicks/query';
import { AdClicks, AdClicksArgs, TopAds, TopAdsArgs, WindowArgs } from './click.types';

// GraphQL hands over numbers and nulls; the query layer validates the same strings REST receives.
function windowOf(a: WindowArgs): RangeParams {
  return {
    minutes: a.minutes === undefined || a.minutes === null ? undefined : String(a.minutes),
    from: a.from ?? undefined,
    to: a.to ?? undefined,
  };
}

@Resolver()
export class ClicksResolver {
  constructor(
    private readonly adClicksQuery: AdClicksQuery,
    private readonly topAdsQuery: TopAdsQuery,
  ) {}

  @Query(() => AdClicks, { description: 'Clicks of one ad per bucket; every bucket present, the open one partial' })
  adClicks(@Args() a: AdClicksArgs): Promise<AdClicks> {
    return this.adClicksQuery.run(a.adId, { ...windowOf(a), granularity: a.granularity, filter: a.filter ?? {} });
  }

  @Query(() => TopAds, { description: 'The most clicked ads: clicks descending, then adId ascending' })
  topAds(@Args() a: TopAdsArgs): Promise<TopAds> {
    return this.topAdsQuery.run({ ...windowOf(a), n: a.n, filter: a.filter ?? {} });
  }
}
