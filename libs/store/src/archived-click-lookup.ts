import pLimit from 'p-limit';
import { Pool } from 'pg';
import { TABLES } from './schema';

/** Look-ups one call runs at once, and event ids per look-up (each reads one time range of one partition). */
const CONCURRENCY = 4;
const IDS_PER_QUERY = 1000;
const HOUR_MS = 3_600_000;

interface Click {
  ts: number;
  eventId: string;
}

/**
 * Whether the raw archive holds clicks, keyed as it de-duplicates them: event time and event id. Intake asks this for
 * clicks older than the Redis de-dup horizon can vouch for, so a click re-sent days later still counts once. Clicks
 * are looked up per hourly partition and up to IDS_PER_QUERY at a time, over the range of their event times (an
 * interval scan: EXPLAIN shows "Interval forward scan"), so replaying an old log file costs a few queries per chunk.
 */
export class ArchivedClickLookup {
  constructor(private readonly pool: Pool) {}

  async archived(clicks: readonly Click[]): Promise<boolean[]> {
    const found = new Set<string>();
    const limit = pLimit(CONCURRENCY);
    await Promise.all(groups(clicks).map((group) => limit(() => this.lookUp(group, found))));
    return clicks.map((c) => found.has(key(c.ts, c.eventId)));
  }

  private async lookUp(group: readonly Click[], found: Set<string>): Promise<void> {
    const from = Math.min(...group.map((c) => c.ts));
    const to = Math.max(...group.map((c) => c.ts));
    const ids = [...new Set(group.map((c) => c.eventId))];
    const list = ids.map((_, i) => `$${i + 3}`).join(', ');
    const sql = `SELECT ts, event_id FROM ${TABLES.raw} WHERE ts >= $1 AND ts <= $2 AND event_id IN (${list})`;
    const { rows } = await this.pool.query<{ ts: number; event_id: string }>(sql, [
      new Date(from),
      new Date(to),
      ...ids,
    ]);
    for (const r of rows) found.add(key(Number(r.ts), r.event_id));
  }
}

const key = (ts: number, eventId: string) => `${ts}|${eventId}`;

/** Clicks per hourly partition, in slices of at most IDS_PER_QUERY. */
function groups(clicks: readonly Click[]): Click[][] {
  const byHour = new Map<number, Click[]>();
  for (const c of clicks) {
    const hour = Math.floor(c.ts / HOUR_MS);
    const list = byHour.get(hour) ?? [];
    list.push(c);
    byHour.set(hour, list);
  }
  const out: Click[][] = [];
  for (const list of byHour.values()) {
    for (let i = 0; i < list.length; i += IDS_PER_QUERY) out.push(list.slice(i, i + IDS_PER_QUERY));
  }
  return out;
}
