export {
  MINUTE_STATUSES,
  MinuteStatus,
  ReconciledMinute,
  ReconciledShard,
  ReconciliationSummary,
} from './minute-reconciliation';
export { RECONCILIATION_LEADER, ReconciliationLeader, ReconciliationMonitor } from './reconciliation-monitor';
export {
  IncompleteLateRecords,
  ReconcileRange,
  ReconciliationReport,
  ReconciliationService,
} from './reconciliation.service';
