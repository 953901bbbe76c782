import type { RangeQuery, Scope } from './api';

export const RANGE_PRESETS = ['15m', '1h', '24h', '7d', 'custom'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];
export const GRANULARITIES = ['1m', '5m', '15m', '1h', '1d'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

const PRESET_MINUTES: Record<Exclude<RangePreset, 'custom'>, number> = {
  '15m': 15,
  '1h': 60,
  '24h': 1440,
  '7d': 10080,
};
/** A granularity that draws each preset in tens to a few hundred buckets. */
const PRESET_GRANULARITY: Record<Exclude<RangePreset, 'custom'>, Granularity> = {
  '15m': '1m',
  '1h': '1m',
  '24h': '15m',
  '7d': '1h',
};

/** What the page shows; everything but the key, so it can live in the URL's fragment and be shared. */
export interface ViewState {
  scope: Scope;
  /** The advertiser, campaign or ad id ('' until chosen). */
  id: string;
  range: RangePreset;
  /** Custom range bounds, ISO-8601 (only with range 'custom'). */
  from: string;
  to: string;
  granularity: Granularity;
  /** Country filter of the chart (ISO alpha-2) or ''. */
  country: string;
  topN: number;
}

export const DEFAULT_VIEW: ViewState = {
  scope: 'advertiser',
  id: '',
  range: '1h',
  from: '',
  to: '',
  granularity: '1m',
  country: '',
  topN: 10,
};

export function defaultGranularity(range: RangePreset): Granularity | undefined {
  return range === 'custom' ? undefined : PRESET_GRANULARITY[range];
}

/** The API's range parameters of a view: `minutes` for a preset (live), `from`/`to` for a custom one (fixed). */
export function rangeQuery(view: ViewState): RangeQuery {
  if (view.range === 'custom') return { from: view.from, to: view.to };
  return { minutes: PRESET_MINUTES[view.range] };
}

/** A preset range moves with the clock and has an open bucket to refresh; a custom one is fixed. */
export const isLive = (view: ViewState) => view.range !== 'custom';

const oneOf = <T extends string>(values: readonly T[], v: string | null, fallback: T): T =>
  values.find((x) => x === v) ?? fallback;

/** Reads a view from a URL fragment such as `#scope=ad&id=ad-1&range=24h`; what is missing or unknown is default. */
export function parseView(hash: string): ViewState {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const n = Number(p.get('n'));
  const range = oneOf(RANGE_PRESETS, p.get('range'), DEFAULT_VIEW.range);
  return {
    scope: oneOf(['advertiser', 'campaign', 'ad'] as const, p.get('scope'), DEFAULT_VIEW.scope),
    id: p.get('id') ?? '',
    range,
    from: p.get('from') ?? '',
    to: p.get('to') ?? '',
    granularity: oneOf(GRANULARITIES, p.get('g'), defaultGranularity(range) ?? DEFAULT_VIEW.granularity),
    country: (p.get('country') ?? '').toUpperCase(),
    topN: Number.isInteger(n) && n >= 1 && n <= 1000 ? n : DEFAULT_VIEW.topN,
  };
}

/** The fragment of a view (the inverse of parseView); defaults and empty values are left out. */
export function formatView(view: ViewState): string {
  const p = new URLSearchParams();
  p.set('scope', view.scope);
  if (view.id) p.set('id', view.id);
  p.set('range', view.range);
  if (view.range === 'custom') {
    p.set('from', view.from);
    p.set('to', view.to);
  }
  p.set('g', view.granularity);
  if (view.country) p.set('country', view.country);
  if (view.topN !== DEFAULT_VIEW.topN) p.set('n', String(view.topN));
  return `#${p.toString()}`;
}

/** The hour up to the end of the current minute, as custom bounds (ISO-8601, whole minutes, UTC). */
export function lastHour(now: number): { from: string; to: string } {
  const end = (Math.floor(now / 60_000) + 1) * 60_000;
  return { from: new Date(end - 3_600_000).toISOString(), to: new Date(end).toISOString() };
}
