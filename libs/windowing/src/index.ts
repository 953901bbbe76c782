export { closedBefore, closeTime, WINDOW_MS, windowEnd, windowStart } from './minute-window';
export { AggregatorSnapshot, ApplyOutcome, CountedClick, WindowAggregator, WindowRow } from './window-aggregator';
