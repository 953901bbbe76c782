export {
  MINUTE_STATUSES,
  MinuteCounts,
  MinuteStatus,
  ReconciledMinute,
  reconcileMinutes,
  ReconcileRules,
  ReconciliationSummary,
  summarize,
} from './minute-reconciliation';
export { ReconcileRange, ReconciliationReport, ReconciliationService } from './reconciliation.service';
export { RECONCILIATION_LEADER, ReconciliationLeader, ReconciliationMonitor } from './reconciliation-monitor';
