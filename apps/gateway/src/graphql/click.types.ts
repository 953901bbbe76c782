import { ArgsType, Field, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLDateTime, GraphQLSafeInt } from 'graphql-scalars';

// GraphQL shapes of the same answers the REST API gives (built in libs/query). Counts are SafeInt (integers up to
// 2^53 - 1): a month of one popular ad can exceed GraphQL's 32-bit Int. Instants are DateTime (RFC 3339).

@InputType()
export class ClickFilterInput {
  @Field(() => String, { nullable: true, description: 'ISO-3166 alpha-2' }) country?: string | null;
  @Field(() => String, { nullable: true, description: 'IPv4 or IPv6' }) ip?: string | null;
  @Field(() => String, { nullable: true }) userId?: string | null;
}

@ObjectType()
export class ClickFilters {
  @Field(() => String, { nullable: true }) country?: string;
  @Field(() => String, { nullable: true }) ip?: string;
  @Field(() => String, { nullable: true }) userId?: string;
}

@ObjectType({ description: 'invalid (not billable) clicks per reason; docs/invalid-clicks.md says what each means' })
export class InvalidByReason {
  @Field(() => GraphQLSafeInt) blocked_ip!: number;
  @Field(() => GraphQLSafeInt) bot!: number;
  @Field(() => GraphQLSafeInt) too_fast!: number;
  @Field(() => GraphQLSafeInt) ip_rate!: number;
  @Field(() => GraphQLSafeInt) repeat_user!: number;
}

@ObjectType()
export class SeriesPoint {
  @Field(() => GraphQLDateTime) start!: string;
  @Field(() => GraphQLSafeInt) clicks!: number;
  @Field(() => GraphQLSafeInt, {
    nullable: true,
    description: 'of clicks, those that arrived after their window closed (null under ip/userId filters)',
  })
  late?: number;
  @Field(() => GraphQLSafeInt, { description: 'invalid clicks of the bucket (not in clicks)' }) invalid!: number;
  @Field(() => InvalidByReason) invalidByReason!: InvalidByReason;
  @Field({ description: 'the bucket is still open' }) partial!: boolean;
}

@ObjectType()
export class AdClicks {
  @Field() adId!: string;
  @Field(() => GraphQLDateTime) from!: string;
  @Field(() => GraphQLDateTime) to!: string;
  @Field() granularity!: string;
  @Field(() => ClickFilters) filters!: ClickFilters;
  @Field(() => GraphQLSafeInt, { description: 'every valid (billable) click, late ones included' }) total!: number;
  @Field(() => GraphQLSafeInt, {
    nullable: true,
    description: 'of total, the clicks folded in after their window closed (null under ip/userId filters)',
  })
  late?: number;
  @Field(() => GraphQLSafeInt, { description: 'invalid clicks of the range (not in total)' }) invalid!: number;
  @Field(() => InvalidByReason) invalidByReason!: InvalidByReason;
  @Field(() => [SeriesPoint], { complexity: 10 }) series!: SeriesPoint[];
}

@ObjectType()
export class AdTotal {
  @Field() adId!: string;
  @Field(() => GraphQLSafeInt) clicks!: number;
}

@ObjectType()
export class TopAds {
  @Field(() => GraphQLDateTime) from!: string;
  @Field(() => GraphQLDateTime) to!: string;
  @Field(() => Int) n!: number;
  @Field(() => ClickFilters) filters!: ClickFilters;
  @Field(() => [AdTotal], { complexity: 10 }) ads!: AdTotal[];
}

@ArgsType()
export class RangeArgs {
  @Field(() => Int, { nullable: true, description: 'the M most recent minutes, the current one included' })
  minutes?: number | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: 'inclusive, floored to the minute' })
  from?: Date | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: 'exclusive, floored to the minute' })
  to?: Date | null;
}

@ArgsType()
export class WindowArgs extends RangeArgs {
  @Field(() => ClickFilterInput, { nullable: true }) filter?: ClickFilterInput | null;
}

@ArgsType()
export class AdClicksArgs extends WindowArgs {
  @Field() adId!: string;
  @Field(() => String, { nullable: true, description: '1m (default), 5m, 15m, 1h or 1d' })
  granularity?: string | null;
}

@ArgsType()
export class TopAdsArgs extends WindowArgs {
  @Field(() => Int, { nullable: true, description: '1-1000, default 100' }) n?: number | null;
}

@ObjectType({ description: "Clicks of an advertiser's or a campaign's ads together, per bucket" })
export class RollupClicks {
  @Field(() => String, { nullable: true }) advertiserId?: string;
  @Field(() => String, { nullable: true }) campaignId?: string;
  @Field(() => GraphQLDateTime) from!: string;
  @Field(() => GraphQLDateTime) to!: string;
  @Field() granularity!: string;
  @Field(() => ClickFilters) filters!: ClickFilters;
  @Field(() => Int, { description: 'how many registered ads the numbers sum over' }) ads!: number;
  @Field(() => GraphQLSafeInt) total!: number;
  @Field(() => GraphQLSafeInt, { description: 'of total, the clicks folded in after their window closed' })
  late!: number;
  @Field(() => GraphQLSafeInt, { description: 'invalid clicks of the range (not in total)' }) invalid!: number;
  @Field(() => InvalidByReason) invalidByReason!: InvalidByReason;
  @Field(() => [SeriesPoint], { complexity: 10 }) series!: SeriesPoint[];
}

@ArgsType()
export class RollupArgs extends RangeArgs {
  @Field(() => String, { nullable: true, description: '1m (default), 5m, 15m, 1h or 1d' })
  granularity?: string | null;
  @Field(() => String, { nullable: true, description: 'ISO-3166 alpha-2' }) country?: string | null;
}

@ArgsType()
export class AdvertiserClicksArgs extends RollupArgs {
  @Field() advertiserId!: string;
}

@ArgsType()
export class CampaignClicksArgs extends RollupArgs {
  @Field() campaignId!: string;
}

@ObjectType({ description: 'An ad of the registry' })
export class AdInfo {
  @Field() id!: string;
  @Field() targetUrl!: string;
  @Field() advertiserId!: string;
  @Field() campaignId!: string;
}

export enum AdScope {
  ad = 'ad',
  advertiser = 'advertiser',
  campaign = 'campaign',
}
registerEnumType(AdScope, { name: 'AdScope', description: 'what a breakdown sums over' });

@ArgsType()
export class CountriesArgs extends RangeArgs {
  @Field(() => AdScope) scope!: AdScope;
  @Field({ description: 'the ad, advertiser or campaign id' }) id!: string;
}

@ObjectType()
export class CountryTotal {
  @Field({ description: 'ISO-3166 alpha-2' }) country!: string;
  @Field(() => GraphQLSafeInt, { description: 'valid (billable) clicks' }) clicks!: number;
  @Field(() => GraphQLSafeInt, { description: 'invalid clicks (not in clicks)' }) invalid!: number;
}

@ObjectType({ description: 'Clicks per country of one ad, an advertiser or a campaign over a window' })
export class CountryBreakdown {
  @Field(() => AdScope) scope!: AdScope;
  @Field() id!: string;
  @Field(() => GraphQLDateTime) from!: string;
  @Field(() => GraphQLDateTime) to!: string;
  @Field(() => GraphQLSafeInt, { description: 'valid clicks over every country' }) total!: number;
  @Field(() => GraphQLSafeInt, { description: 'invalid clicks over every country' }) invalid!: number;
  @Field(() => [CountryTotal], { complexity: 10, description: 'valid clicks descending, then country' })
  countries!: CountryTotal[];
}
