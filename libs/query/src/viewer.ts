import { ClickFilter } from '@clicks/store';
import { QueryParamError, TimeRange } from './time-range';

/** Whose numbers a query may show: everything (the admin token), or the ads registered to one advertiser. */
export type Viewer = { kind: 'admin' } | { kind: 'advertiser'; advertiserId: string };

export const ADMIN_VIEWER: Viewer = { kind: 'admin' };

/** A filter the caller may not use (403), naming it. */
export class QueryForbiddenError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(`${param}: ${message}`);
    this.name = 'QueryForbiddenError';
  }
}

/** An ad, advertiser or campaign that does not exist or is not the caller's: the same 404 either way. */
export class NotVisibleError extends Error {
  constructor(
    readonly kind: 'ad' | 'advertiser' | 'campaign',
    readonly id: string,
  ) {
    super(`${kind} ${id} is not registered`);
    this.name = 'NotVisibleError';
  }
}

/**
 * The ip and userId filters read personal data from the raw archive: the admin token only. And a raw-archive scan
 * costs per click, so its window is capped (`rawMaxWindowMs`).
 */
export function checkRawFilters(
  filters: ClickFilter,
  viewer: Viewer,
  range: TimeRange,
  rawMaxWindowMs: number,
  windowParam: 'minutes' | 'from',
  prefix = '',
): void {
  const raw = (['ip', 'userId'] as const).find((f) => filters[f] !== undefined);
  if (raw === undefined) return;
  if (viewer.kind !== 'admin') {
    throw new QueryForbiddenError(`${prefix}${raw}`, 'filtering by ip or userId needs the admin token (personal data)');
  }
  if (range.to - range.from > rawMaxWindowMs) {
    throw new QueryParamError(
      windowParam,
      `with an ip or userId filter the window is at most ${rawMaxWindowMs / 3_600_000} h (RAW_QUERY_MAX_HOURS)`,
    );
  }
}

/** Who owns which ads (the ads registry in production): what scopes an advertiser's queries. */
export interface AdDirectory {
  /** The ad's owner, or null when it is not registered. */
  get(adId: string): Promise<{ advertiserId: string } | null>;
  adsOfAdvertiser(advertiserId: string): Promise<string[]>;
  adsOfCampaign(campaignId: string, advertiserId?: string): Promise<string[]>;
}

export const AD_DIRECTORY = Symbol('AD_DIRECTORY');
