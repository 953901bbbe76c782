export { AggregateRow, AggregateWriter, InvalidClickRow, MinuteCountRow } from './aggregate-writer';
export { ArchivedClickLookup } from './archived-click-lookup';
export { AdTotal, ClickQueryRepository, CountryTotal, MinuteSummary, MinuteTotal } from './click-query.repository';
export { ClickFilter } from './click-query-sql';
export { createPgPool, QueryTimeoutError, QuestDbUnavailableError } from './pg-pool';
export { QuestDbConnection, QuestDbHealthIndicator, QuestDbModule } from './questdb.module';
export { RawArchiveWriter, RawClickRow } from './raw-archive-writer';
export {
  ArchivedAndCounted,
  MinuteShardCount,
  ReconciliationRepository,
  WalProgress,
} from './reconciliation.repository';
export { applyRetention, ensureSchema, Retention, upgradeAdIdColumn } from './schema-migrator';
export { LATE_SHARD_SUFFIX, MINUTE_TOTALS_VIEW, SCHEMA_DDL, TABLES } from './schema';
