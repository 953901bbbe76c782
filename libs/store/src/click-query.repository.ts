import { Pool } from 'pg';
import {
  adsInvalidMinuteTotalsSql,
  adsMinuteTotalsSql,
  adTotalsSql,
  ClickFilter,
  countryTotalsSql,
  minuteSummariesSql,
  minuteSummariesStatusSql,
  invalidMinuteTotalsSql,
  minuteTotalsSql,
  SqlQuery,
  topAdsSql,
} from './click-query-sql';
import {
  isConnectionFailure,
  isStatementTimeout,
  isTableMissing,
  QueryTimeoutError,
  QuestDbUnavailableError,
  SchemaNotReadyError,
} from './pg-pool';

export interface MinuteTotal {
  ts: number;
  clicks: number;
  /** Of `clicks`, those folded in after their window closed; undefined where unknown (raw-archive filters). */
  late?: number;
  /** Invalid clicks of the minute per reason (not in `clicks`); reasons without any are absent. */
  invalid?: Record<string, number>;
}

type MinuteRow = { ts: number; clicks: number; late?: number };
type ReasonRow = { ts: number; reason: string; clicks: number };

/** Valid totals per minute joined with invalid ones per minute and reason: every minute with either is present. */
export function withInvalid(valid: readonly MinuteRow[], invalid: readonly ReasonRow[]): MinuteTotal[] {
  const byMinute = new Map<number, MinuteTotal>();
  for (const r of valid) {
    const m: MinuteTotal = { ts: Number(r.ts), clicks: Number(r.clicks) };
    if (r.late !== undefined) m.late = Number(r.late);
    byMinute.set(m.ts, m);
  }
  const lateKnown = valid.every((r) => r.late !== undefined);
  for (const r of invalid) {
    const ts = Number(r.ts);
    let m = byMinute.get(ts);
    if (!m) byMinute.set(ts, (m = lateKnown ? { ts, clicks: 0, late: 0 } : { ts, clicks: 0 }));
    m.invalid ??= {};
    m.invalid[r.reason] = (m.invalid[r.reason] ?? 0) + Number(r.clicks);
  }
  return [...byMinute.values()].sort((a, b) => a.ts - b.ts);
}

/** Clicks of one country: valid (billable) and invalid apart. */
export interface CountryTotal {
  country: string;
  clicks: number;
  invalid: number;
}

export interface AdTotal {
  adId: string;
  clicks: number;
}

/** One minute over all ads: its clicks and its (minute, ad, country, shard) rows. */
export interface MinuteSummary {
  clicks: number;
  rows: number;
}

/** Reads click counts over the Postgres wire, always with bind parameters (see click-query-sql.ts). */
export class ClickQueryRepository {
  constructor(
    private readonly pool: Pool,
    private readonly timeoutMs = 0,
  ) {}

  /** Valid and invalid clicks of one ad per minute in [from, to), exact under any filter; empty minutes absent. */
  async minuteTotals(adId: string, from: number, to: number, filter: ClickFilter = {}): Promise<MinuteTotal[]> {
    const [valid, invalid] = await Promise.all([
      this.run<MinuteRow>(minuteTotalsSql(adId, from, to, filter)),
      this.invalidRows(invalidMinuteTotalsSql(adId, from, to, filter)),
    ]);
    return withInvalid(valid, invalid);
  }

  /** The `n` most clicked ads in [from, to), clicks descending, then ad id ascending. */
  async topAds(from: number, to: number, n: number, filter: ClickFilter = {}): Promise<AdTotal[]> {
    const rows = await this.run<{ ad_id: string; clicks: number }>(topAdsSql(from, to, n, filter));
    return rows.map((r) => ({ adId: r.ad_id, clicks: Number(r.clicks) }));
  }

  /**
   * Clicks and rows per minute start in [from, to) over all ads (of one country, if given), from the totals view;
   * undefined when the view is not valid (QuestDB stopped refreshing it), so its totals cannot vouch for anything.
   */
  async minuteSummaries(from: number, to: number, country?: string): Promise<Map<number, MinuteSummary> | undefined> {
    const [status, rows] = await Promise.allSettled([
      this.run<{ view_status: string }>(minuteSummariesStatusSql()),
      this.run<{ ts: number; clicks: number; row_count: number }>(minuteSummariesSql(from, to, country)),
    ]);
    // A view that is missing (an older QuestDB, a failed migration) or invalid vouches for nothing.
    if (status.status === 'rejected') throw status.reason;
    if (status.value[0]?.view_status !== 'valid') return undefined;
    if (rows.status === 'rejected') throw rows.reason;
    return new Map(rows.value.map((r) => [r.ts, { clicks: Number(r.clicks), rows: Number(r.row_count) }]));
  }

  /** Exact clicks of each of `adIds` in [from, to) (in one country, if given); ads without clicks are absent. */
  async adTotals(from: number, to: number, adIds: readonly string[], country?: string): Promise<Map<string, number>> {
    if (adIds.length === 0) return new Map();
    const rows = await this.run<{ ad_id: string; clicks: number }>(adTotalsSql(from, to, adIds, country));
    return new Map(rows.map((r) => [r.ad_id, Number(r.clicks)]));
  }

  /** Clicks per minute in [from, to) summed over `adIds` (in one country, if given); minutes without clicks absent. */
  async adsMinuteTotals(adIds: readonly string[], from: number, to: number, country?: string): Promise<MinuteTotal[]> {
    if (adIds.length === 0) return [];
    const [valid, invalid] = await Promise.all([
      this.run<MinuteRow>(adsMinuteTotalsSql(adIds, from, to, country)),
      this.invalidRows(adsInvalidMinuteTotalsSql(adIds, from, to, country)),
    ]);
    return withInvalid(valid, invalid);
  }

  /** Valid and invalid clicks per country in [from, to) summed over `adIds`; countries with neither absent. */
  async countryTotals(adIds: readonly string[], from: number, to: number): Promise<CountryTotal[]> {
    if (adIds.length === 0) return [];
    type Row = { country: string; clicks: number };
    const [valid, invalid] = await Promise.all([
      this.run<Row>(countryTotalsSql(adIds, from, to, false)),
      this.invalidRows<Row>(countryTotalsSql(adIds, from, to, true)),
    ]);
    const byCountry = new Map<string, CountryTotal>();
    const of = (country: string) => {
      let total = byCountry.get(country);
      if (!total) byCountry.set(country, (total = { country, clicks: 0, invalid: 0 }));
      return total;
    };
    for (const r of valid) of(r.country).clicks += Number(r.clicks);
    for (const r of invalid) of(r.country).invalid += Number(r.clicks);
    return [...byCountry.values()];
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /**
   * Invalid clicks per minute and reason. Until an aggregator of this version has created the invalid-click tables
   * (a rolling upgrade, gateway first), none was ever counted: no table means none.
   */
  private async invalidRows<R extends object = ReasonRow>(q: SqlQuery): Promise<R[]> {
    try {
      return await this.run<R>(q);
    } catch (e) {
      if (e instanceof SchemaNotReadyError) return [];
      throw e;
    }
  }

  private async run<R extends object>(q: SqlQuery): Promise<R[]> {
    try {
      return (await this.pool.query<R>(q.text, q.values)).rows;
    } catch (e) {
      if (isStatementTimeout(e)) throw new QueryTimeoutError(this.timeoutMs);
      if (isTableMissing(e)) throw new SchemaNotReadyError(e);
      throw isConnectionFailure(e) ? new QuestDbUnavailableError(e) : e;
    }
  }
}
