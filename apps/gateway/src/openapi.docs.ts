import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiQuery } from '@nestjs/swagger';
import { GRANULARITIES } from '@clicks/query';
import { ApiProblems, ProblemAnswerDoc } from '@clicks/server';

// Response shapes for the OpenAPI document only; the answers themselves are built in libs/query.

export class FiltersDoc {
  @ApiPropertyOptional({ example: 'DE' }) country?: string;
  @ApiPropertyOptional({ example: '203.0.113.7' }) ip?: string;
  @ApiPropertyOptional({ example: 'u-17' }) userId?: string;
}

export class InvalidByReasonDoc {
  @ApiProperty({ description: 'the ip is on the operator blocklist' }) blocked_ip!: number;
  @ApiProperty({ description: 'a crawler or bot user agent' }) bot!: number;
  @ApiProperty({ description: 'clicked sooner after its impression than a person can' }) too_fast!: number;
  @ApiProperty({ description: 'beyond the per-ip limit of one ad in one minute' }) ip_rate!: number;
  @ApiProperty({ description: "within seconds of the user's previous valid click on the ad" }) repeat_user!: number;
}

export class SeriesPointDoc {
  @ApiProperty({ example: '2026-11-23T12:00:00.000Z' }) start!: string;
  @ApiProperty() clicks!: number;
  @ApiPropertyOptional({ description: 'of clicks, those folded in after their window closed (absent: ip/userId)' })
  late?: number;
  @ApiProperty({ description: 'invalid (not billable) clicks of the bucket, not in clicks' }) invalid!: number;
  @ApiProperty({ type: InvalidByReasonDoc }) invalidByReason!: InvalidByReasonDoc;
  @ApiProperty({ description: 'the bucket is still open' }) partial!: boolean;
}

export class AdClicksDoc {
  @ApiProperty() adId!: string;
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ enum: GRANULARITIES }) granularity!: string;
  @ApiProperty({ type: FiltersDoc }) filters!: FiltersDoc;
  @ApiProperty({ description: 'every valid (billable) click, late ones included' }) total!: number;
  @ApiPropertyOptional({ description: 'of total, the clicks folded in after their window closed (absent: ip/userId)' })
  late?: number;
  @ApiProperty({ description: 'invalid (not billable) clicks of the range, not in total' }) invalid!: number;
  @ApiProperty({ type: InvalidByReasonDoc }) invalidByReason!: InvalidByReasonDoc;
  @ApiProperty({ type: [SeriesPointDoc] }) series!: SeriesPointDoc[];
}

export class RollupDoc {
  @ApiPropertyOptional() advertiserId?: string;
  @ApiPropertyOptional() campaignId?: string;
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ enum: GRANULARITIES }) granularity!: string;
  @ApiProperty({ type: FiltersDoc }) filters!: FiltersDoc;
  @ApiProperty({ description: 'how many registered ads the numbers sum over' }) ads!: number;
  @ApiProperty() total!: number;
  @ApiProperty({ description: 'of total, the clicks folded in after their window closed' }) late!: number;
  @ApiProperty({ description: 'invalid (not billable) clicks of the range, not in total' }) invalid!: number;
  @ApiProperty({ type: InvalidByReasonDoc }) invalidByReason!: InvalidByReasonDoc;
  @ApiProperty({ type: [SeriesPointDoc] }) series!: SeriesPointDoc[];
}

export class AdTotalDoc {
  @ApiProperty() adId!: string;
  @ApiProperty() clicks!: number;
}

export class TopAdsDoc {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty() n!: number;
  @ApiProperty({ type: FiltersDoc }) filters!: FiltersDoc;
  @ApiProperty({ type: [AdTotalDoc] }) ads!: AdTotalDoc[];
}

const QUERY_PROBLEMS: ProblemAnswerDoc[] = [
  [400, 'a bad parameter, named in errors[].field'],
  [401, 'no valid key'],
  [403, 'a filter the key may not use (ip, userId: admin only), named in errors[].field'],
  [404, "an unknown (or another advertiser's) ad, advertiser or campaign"],
  [429, "the key's per-second query budget is spent (Retry-After)"],
  [503, 'QuestDB cannot be reached (Retry-After)'],
  [504, 'QuestDB gave up at the statement timeout: ask for a shorter window'],
];

/** The error answers of a query endpoint, each a ProblemDoc served as application/problem+json. */
export const ApiQueryProblems = () => ApiProblems(...QUERY_PROBLEMS);

export class CountryTotalDoc {
  @ApiProperty({ example: 'DE' }) country!: string;
  @ApiProperty({ description: 'valid (billable) clicks' }) clicks!: number;
  @ApiProperty({ description: 'invalid (not billable) clicks, not in clicks' }) invalid!: number;
}

export class CountryBreakdownDoc {
  @ApiProperty({ enum: ['ad', 'advertiser', 'campaign'] }) scope!: string;
  @ApiProperty() id!: string;
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ description: 'valid clicks over every country' }) total!: number;
  @ApiProperty({ description: 'invalid clicks over every country' }) invalid!: number;
  @ApiProperty({ type: [CountryTotalDoc], description: 'valid clicks descending, then country' })
  countries!: CountryTotalDoc[];
}

export class ViewerDoc {
  @ApiProperty({ enum: ['admin', 'advertiser'] }) kind!: string;
  @ApiPropertyOptional({ description: 'whose numbers an advertiser key reads' }) advertiserId?: string;
}

/** The window parameters every query takes: `minutes`, or `from` and `to`. */
export const ApiRangeQueries = () =>
  applyDecorators(
    ApiQuery({ name: 'minutes', required: false, description: 'the M most recent minutes, the current one included' }),
    ApiQuery({ name: 'from', required: false, description: 'ISO-8601 with zone, inclusive, floored to the minute' }),
    ApiQuery({ name: 'to', required: false, description: 'ISO-8601 with zone, exclusive, floored to the minute' }),
  );
