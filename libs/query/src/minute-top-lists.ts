import { AdTotal, MinuteSummary } from '@clicks/store';
import { MinuteTopList } from './top-n-merge';

const MINUTE_MS = 60_000;

/**
 * A list is recomputed at least this often even while the totals view vouches for it, so that a view QuestDB
 * stopped refreshing without marking it invalid cannot keep an old list alive.
 */
export const TOP_LIST_MAX_AGE_MS = 60_000;

/**
 * Minutes this recent may have rows the totals view has not caught up with yet, so when the view shows no row for
 * them their list is read again after the answer-cache period, not only after the max age.
 */
export const RECENT_MINUTES_MS = 2 * MINUTE_MS;

export interface TopListPolicy {
  /** Any list younger than this is used as it is (the gateway's answer cache age). */
  cacheMs: number;
  /** Ads per list. */
  size: number;
}

interface CachedList {
  list: Promise<MinuteTopList>;
  /** The minute's totals (from the view) read before the list was computed: the list is at least this new. */
  stamp: MinuteSummary;
  at: number;
}

/** What to do for one minute of a window. */
export type MinutePlan = { use: Promise<MinuteTopList> } | { fetch: true };

/**
 * The gateway's per-minute top lists (per scope: all countries, or one), and when one may be reused: a list
 * computed after the view showed totals (clicks, rows) is current while the view still shows at most those totals,
 * because rows of `ad_clicks_1m` only grow. Pure bookkeeping with an injected clock; the caller does the I/O.
 */
export class MinuteTopLists {
  private readonly lists = new Map<string, CachedList>();

  constructor(
    private readonly policy: TopListPolicy,
    /** Lists kept at most, least recently stored dropped first. */
    private readonly maxLists: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** `renewWithinMs`: also read a list that would pass the max age within that long (a warmer running that often). */
  plan(scope: string, minute: number, summary: MinuteSummary | undefined, renewWithinMs = 0): MinutePlan {
    const now = this.clock();
    const maxAge = TOP_LIST_MAX_AGE_MS - renewWithinMs;
    const cached = this.lists.get(`${scope}/${minute}`);
    const age = cached ? now - cached.at : Infinity;
    if (cached && age <= this.policy.cacheMs) return { use: cached.list };
    if (!summary) {
      // No row in the view: the minute has no clicks, or the view has not caught up with it (recent minutes, or a
      // view behind under load). The minute's own list says which, and is read again at most every max age.
      const recent = minute + MINUTE_MS > now - RECENT_MINUTES_MS;
      return cached && !recent && age <= maxAge ? { use: cached.list } : { fetch: true };
    }
    if (cached && age <= maxAge && cached.stamp.clicks >= summary.clicks && cached.stamp.rows >= summary.rows) {
      return { use: cached.list };
    }
    return { fetch: true };
  }

  /** Remembers the list being read for `minute`, stamped with the totals the view showed before the read. */
  store(scope: string, minute: number, summary: MinuteSummary | undefined, list: Promise<MinuteTopList>): void {
    const key = `${scope}/${minute}`;
    this.lists.delete(key); // re-insert: Map order is then oldest stored first
    this.lists.set(key, { list, stamp: summary ?? { clicks: 0, rows: 0 }, at: this.clock() });
    list.catch(() => {
      if (this.lists.get(key)?.list === list) this.lists.delete(key);
    });
    while (this.lists.size > this.maxLists) {
      const oldest = this.lists.keys().next();
      if (oldest.done) break;
      this.lists.delete(oldest.value);
    }
  }

  get size(): number {
    return this.lists.size;
  }
}

/** A minute's list from its `size + 1` most clicked ads: the extra ad's clicks bound every ad left out. */
export function toMinuteTopList(top: readonly AdTotal[], size: number): MinuteTopList {
  return top.length > size ? { ads: top.slice(0, size), floor: top[size].clicks } : { ads: top, floor: 0 };
}
