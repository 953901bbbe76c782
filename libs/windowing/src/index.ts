export { closedBefore, closeTime, WINDOW_MS, windowEnd, windowStart } from './minute-window';
export {
  AggregatorDelta,
  AggregatorSnapshot,
  ApplyOutcome,
  CountedClick,
  countKey,
  STATE_CELL_PREFIX,
  WindowAggregator,
  WindowRow,
} from './window-aggregator';
