export { closedBefore, closeTime, WINDOW_MS, windowEnd, windowStart } from './minute-window';
export {
  AggregatorDelta,
  AggregatorSnapshot,
  ApplyOutcome,
  CountedClick,
  WindowAggregator,
  WindowRow,
} from './window-aggregator';
