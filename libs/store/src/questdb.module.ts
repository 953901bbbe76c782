import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { Pool } from 'pg';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { ArchivedClickLookup } from './archived-click-lookup';
import { ClickQueryRepository } from './click-query.repository';
import { createPgPool } from './pg-pool';
import { ReconciliationRepository } from './reconciliation.repository';

/** The process's Postgres-wire pool to QuestDB (queries and DDL). */
@Injectable()
export class QuestDbConnection implements OnApplicationShutdown {
  readonly pool: Pool;
  /** Advertisers' and operators' reads: each ends at QUERY_TIMEOUT_MS (connections are opened on first use). */
  readonly readPool: Pool;

  constructor(@Inject(APP_CONFIG) readonly config: AppConfig) {
    this.pool = createPgPool(config.questdb.pgUrl);
    this.readPool = createPgPool(config.questdb.pgUrl, 8, config.query.timeoutMs);
  }

  private ended = false;

  /** Idempotent: Nest may run this hook once per module that sees the provider. */
  async onApplicationShutdown(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await Promise.all([this.pool.end(), this.readPool.end()]);
  }
}

@Injectable()
export class QuestDbHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly connection: QuestDbConnection,
  ) {}

  async check(key = 'questdb'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    try {
      await this.connection.pool.query('SELECT 1');
      return indicator.up();
    } catch (e) {
      return indicator.down({ message: e instanceof Error ? e.message : String(e) });
    }
  }
}

@Global()
@Module({
  imports: [TerminusModule],
  providers: [
    QuestDbConnection,
    QuestDbHealthIndicator,
    {
      provide: ClickQueryRepository,
      useFactory: (c: QuestDbConnection) => new ClickQueryRepository(c.readPool, c.config.query.timeoutMs),
      inject: [QuestDbConnection],
    },
    {
      provide: ArchivedClickLookup,
      useFactory: (c: QuestDbConnection) => new ArchivedClickLookup(c.pool),
      inject: [QuestDbConnection],
    },
    {
      provide: ReconciliationRepository,
      useFactory: (c: QuestDbConnection) => new ReconciliationRepository(c.pool),
      inject: [QuestDbConnection],
    },
  ],
  exports: [
    QuestDbConnection,
    QuestDbHealthIndicator,
    ClickQueryRepository,
    ReconciliationRepository,
    ArchivedClickLookup,
  ],
})
export class QuestDbModule {}
