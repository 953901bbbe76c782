import pLimit from 'p-limit';
import { AdTotal, ClickQueryRepository, MinuteSummary } from '@clicks/store';
import { MinuteTopLists, toMinuteTopList, TopListPolicy } from './minute-top-lists';
import { MinuteTopList, TopNMerge } from './top-n-merge';

const MINUTE_MS = 60_000;

/** More undecided ads than this and the full GROUP BY is the cheaper way to an exact answer. */
const MAX_RESOLVED_ADS = 2000;

/**
 * List reads running at once: a cold window needs one per minute, and unbounded they would take every connection
 * of the pool (8) and starve other queries.
 */
const LIST_READS_AT_ONCE = 3;

export interface TopListSettings extends TopListPolicy {
  /** The longest window (minutes) served from lists. */
  maxMinutes: number;
}

/**
 * Top-N over a window, over all countries or one, without grouping every row of it: per-minute top lists (cached, see
 * MinuteTopLists) are merged with bounds (TopNMerge), and only the ads the bounds cannot place are counted exactly.
 * Answers undefined whenever the lists cannot prove the answer exact; the caller then runs the GROUP BY.
 */
export class TopAdsFromMinuteLists {
  private readonly lists: MinuteTopLists;
  private readonly listReads = pLimit(LIST_READS_AT_ONCE);

  constructor(
    private readonly repository: ClickQueryRepository,
    private readonly settings: TopListSettings,
    clock: () => number = Date.now,
  ) {
    // Room for a few full windows: all countries plus the most asked-for ones.
    this.lists = new MinuteTopLists(settings, settings.maxMinutes * 4, clock);
  }

  /**
   * The exact top n in [from, to) (minute-aligned), over all countries or one, or undefined when the lists cannot
   * decide it.
   */
  async topAds(from: number, to: number, n: number, country?: string): Promise<AdTotal[] | undefined> {
    const { size, maxMinutes } = this.settings;
    if (size === 0 || n > size || (to - from) / MINUTE_MS > maxMinutes) return undefined;
    const summaries = await this.repository.minuteSummaries(from, to, country);
    if (!summaries) return undefined;
    const pending: Promise<MinuteTopList>[] = [];
    for (let minute = from; minute < to; minute += MINUTE_MS) {
      pending.push(this.listFor(minute, summaries.get(minute), country).list);
    }
    const merge = new TopNMerge(await Promise.all(pending), n);
    const undecided = merge.toResolve(MAX_RESOLVED_ADS);
    if (!undecided) return undefined;
    return merge.rank(await this.repository.adTotals(from, to, undecided, country));
  }

  /**
   * Reads the lists of every minute of [from, to) that a query would read now, or within `renewWithinMs` (when the
   * next warm-up comes), so queries find them cached. Returns how many it read.
   */
  async warm(from: number, to: number, renewWithinMs: number, country?: string): Promise<number> {
    if (this.settings.size === 0) return 0;
    const summaries = await this.repository.minuteSummaries(from, to, country);
    if (!summaries) return 0;
    const reads: Promise<MinuteTopList>[] = [];
    for (let minute = from; minute < to; minute += MINUTE_MS) {
      const plan = this.listFor(minute, summaries.get(minute), country, renewWithinMs);
      if (plan.read) reads.push(plan.list);
    }
    await Promise.all(reads);
    return reads.length;
  }

  /** Lists held (over all scopes). */
  get cachedLists(): number {
    return this.lists.size;
  }

  /** The minute's list: the cached one, or one being read (`read`) because none is current. */
  private listFor(
    minute: number,
    summary: MinuteSummary | undefined,
    country: string | undefined,
    renewWithinMs = 0,
  ): { list: Promise<MinuteTopList>; read: boolean } {
    const scope = country ?? '*';
    const plan = this.lists.plan(scope, minute, summary, renewWithinMs);
    if ('use' in plan) return { list: plan.use, read: false };
    const size = this.settings.size;
    const list = this.listReads(() => this.repository.topAds(minute, minute + MINUTE_MS, size + 1, { country })).then(
      (top) => toMinuteTopList(top, size),
    );
    this.lists.store(scope, minute, summary, list);
    return { list, read: true };
  }
}
