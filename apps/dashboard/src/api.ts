import type { AdClicksAnswer, CountryBreakdownAnswer, RollupAnswer, TopAdsAnswer, Viewer } from '@clicks/query';

export type { AdClicksAnswer, CountryBreakdownAnswer, RollupAnswer, TopAdsAnswer, Viewer };
export type ClicksAnswer = AdClicksAnswer | RollupAnswer;
export type Scope = 'advertiser' | 'campaign' | 'ad';

/** `minutes` (the M most recent, the open one included) or an explicit `from`/`to` window, as the API takes them. */
export type RangeQuery = { minutes: number } | { from: string; to: string };

/** An answer other than 2xx, with the API's own words about it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const PATHS: Record<Scope, string> = { advertiser: 'advertisers', campaign: 'campaigns', ad: 'ads' };

/** What an error body says, whichever of the gateway's error shapes it has. */
export function errorMessage(status: number, body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const field = typeof b.param === 'string' ? `${b.param}: ` : '';
    for (const k of ['detail', 'message', 'error']) {
      const v = b[k];
      if (typeof v === 'string') return `${field}${v}`;
      if (Array.isArray(v) && typeof v[0] === 'string') return `${field}${v.join('; ')}`;
    }
  }
  return `HTTP ${status}`;
}

/** The gateway's public REST API, called with one key (never put in a URL). */
export class GatewayClient {
  constructor(
    private readonly key: string,
    private readonly base = '',
    private readonly fetchFn: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  me(): Promise<Viewer> {
    return this.get('/v1/me');
  }

  clicks(scope: Scope, id: string, range: RangeQuery, granularity: string, country?: string): Promise<ClicksAnswer> {
    return this.get(`/v1/${PATHS[scope]}/${encodeURIComponent(id)}/clicks`, { ...range, granularity, country });
  }

  countries(scope: Scope, id: string, range: RangeQuery): Promise<CountryBreakdownAnswer> {
    return this.get(`/v1/${PATHS[scope]}/${encodeURIComponent(id)}/countries`, range);
  }

  top(n: number, range: RangeQuery, country?: string): Promise<TopAdsAnswer> {
    return this.get('/v1/ads/top', { n, ...range, country });
  }

  private async get<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
    const qs = params.toString();
    const res = await this.fetchFn(`${this.base}${path}${qs ? `?${qs}` : ''}`, {
      headers: { authorization: `Bearer ${this.key}`, accept: 'application/json' },
    });
    const body: unknown = await res.json().catch(() => undefined);
    if (!res.ok) throw new ApiError(res.status, errorMessage(res.status, body));
    return body as T;
  }
}
