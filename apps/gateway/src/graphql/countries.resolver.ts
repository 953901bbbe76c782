import { Args, Context, Query, Resolver } from '@nestjs/graphql';
import { FastifyRequest } from 'fastify';
import { CountryBreakdownQuery } from '@clicks/query';
import { viewerOf } from '../viewer-of';
import { CountriesArgs, CountryBreakdown } from './click.types';
import { windowOf } from './clicks.resolver';

/** REST's /v1/{ads,advertisers,campaigns}/:id/countries over GraphQL, scoped to the same principal. */
@Resolver()
export class CountriesResolver {
  constructor(private readonly breakdown: CountryBreakdownQuery) {}

  @Query(() => CountryBreakdown, { description: 'Clicks per country of an ad, an advertiser or a campaign' })
  countries(@Args() a: CountriesArgs, @Context('req') req: FastifyRequest): Promise<CountryBreakdown> {
    return this.breakdown.run(a.scope, a.id, windowOf(a), viewerOf(req)) as Promise<CountryBreakdown>;
  }
}
