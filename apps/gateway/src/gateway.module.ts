import { MercuriusDriver, MercuriusDriverConfig } from '@nestjs/mercurius';
import { DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { TerminusModule } from '@nestjs/terminus';
import { AccountsModule } from '@clicks/accounts';
import { AdRegistry } from '@clicks/ads';
import { AppConfig, ConfigModule } from '@clicks/config';
import {
  AD_DIRECTORY,
  AdClicksQuery,
  CountryBreakdownQuery,
  RollupQuery,
  TopAdsQuery,
  TopListWarmer,
} from '@clicks/query';
import { MetricsModule } from '@clicks/metrics';
import { QuestDbModule } from '@clicks/store';
import { RedisModule } from '@clicks/stream';
import { AdClicksController } from './ad-clicks.controller';
import { CountryBreakdownController } from './country-breakdown.controller';
import { AdsResolver } from './graphql/ads.resolver';
import { ClicksResolver } from './graphql/clicks.resolver';
import { CountriesResolver } from './graphql/countries.resolver';
import { complexityRules, MAX_QUERY_DEPTH } from './graphql/graphql-limits';
import { HealthController } from './health.controller';
import { ViewerController } from './viewer.controller';

@Module({})
export class GatewayModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        ConfigModule.forRoot(config),
        RedisModule,
        QuestDbModule,
        TerminusModule,
        MetricsModule.forApp('gateway'),
        AccountsModule,
        GraphQLModule.forRoot<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          path: '/graphql',
          autoSchemaFile: true,
          sortSchema: true,
          graphiql: config.query.graphiql,
          // Mercurius's parsed-query LRU is loaded by a dynamic ESM import, which Jest cannot run; parsing and
          // validating a query this small costs far less than its database round trip.
          cache: false,
          queryDepth: MAX_QUERY_DEPTH,
          validationRules: complexityRules,
        }),
      ],
      controllers: [AdClicksController, CountryBreakdownController, ViewerController, HealthController],
      providers: [
        AdClicksQuery,
        TopAdsQuery,
        RollupQuery,
        CountryBreakdownQuery,
        TopListWarmer,
        ClicksResolver,
        CountriesResolver,
        AdRegistry,
        AdsResolver,
        { provide: AD_DIRECTORY, useExisting: AdRegistry },
      ],
    };
  }
}
