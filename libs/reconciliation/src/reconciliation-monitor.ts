import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { ClickMetrics } from '@clicks/metrics';
import { WINDOW_MS, windowStart } from '@clicks/windowing';
import { MINUTE_STATUSES } from './minute-reconciliation';
import { ReconciliationReport, ReconciliationService } from './reconciliation.service';

/** Whether this process runs the scheduled reconciliation now: one process of the deployment should. */
export type ReconciliationLeader = () => boolean;
export const RECONCILIATION_LEADER = Symbol('RECONCILIATION_LEADER');

/** (minute, shard) pairs named in the warning log of a run that found mismatches. */
const LOGGED_MISMATCHES = 10;

/**
 * Reconciles the last RECONCILE_WINDOW_MINUTES minutes every RECONCILE_INTERVAL_MS on the leader and exports the
 * verdicts as gauges, so a mismatch can page someone instead of waiting for an advertiser to notice it.
 */
@Injectable()
export class ReconciliationMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('ReconciliationMonitor');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly service: ReconciliationService,
    private readonly metrics: ClickMetrics,
    @Inject(RECONCILIATION_LEADER) private readonly isLeader: ReconciliationLeader,
  ) {}

  onApplicationBootstrap(): void {
    const { intervalMs } = this.config.reconciliation;
    if (intervalMs === 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.runOnce().finally(() => (this.running = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One scheduled run; null when this process is not the leader (its gauges are then cleared). Never throws. */
  async runOnce(now = Date.now()): Promise<ReconciliationReport | null> {
    if (!this.isLeader()) {
      this.metrics.reconciliationWindows.reset();
      this.metrics.reconciliationUnaccounted.reset();
      this.metrics.reconciliationQuestdbBehind.reset();
      return null;
    }
    const to = windowStart(now) + WINDOW_MS;
    const from = to - this.config.reconciliation.windowMinutes * WINDOW_MS;
    try {
      const report = await this.service.reconcile({ from, to }, undefined, now);
      this.export(report);
      this.metrics.reconciliationRuns.inc({ outcome: 'ok' });
      this.metrics.reconciliationLastSuccess.set(now / 1000);
      return report;
    } catch (e) {
      this.metrics.reconciliationRuns.inc({ outcome: 'error' });
      const span = `${new Date(from).toISOString()}..${new Date(to).toISOString()}`;
      this.log.warn(`reconciliation of ${span} failed: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  }

  private export(report: ReconciliationReport): void {
    const { minutes, unaccountedClicks } = report.summary;
    for (const status of MINUTE_STATUSES) this.metrics.reconciliationWindows.set({ status }, minutes[status]);
    this.metrics.reconciliationUnaccounted.set({ status: 'mismatch' }, unaccountedClicks.mismatch);
    this.metrics.reconciliationUnaccounted.set({ status: 'unverifiable' }, unaccountedClicks.unverifiable);
    this.metrics.reconciliationQuestdbBehind.reset();
    for (const table of report.questdbBehind) this.metrics.reconciliationQuestdbBehind.set({ table }, 1);
    if (report.questdbBehind.length > 0) {
      this.log.warn(`QuestDB has not applied ${report.questdbBehind.join(', ')}: mismatches left pending`);
    }
    const bad = report.minutes.flatMap((m) =>
      m.shards.filter((s) => s.status === 'mismatch').map((s) => `${m.minute} ${s.shard} (${s.difference})`),
    );
    if (bad.length === 0) return;
    const named = bad.slice(0, LOGGED_MISMATCHES).join(', ') + (bad.length > LOGGED_MISMATCHES ? ', ...' : '');
    this.log.warn(`${bad.length} minute(s) and shard(s) where archived - counted - late != 0: ${named}`);
  }
}
