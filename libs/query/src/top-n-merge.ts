import { AdTotal } from '@clicks/store';

/** One minute's most clicked ads (summed over shards and countries), as a bounded list. */
export interface MinuteTopList {
  /** The minute's top ads, any order. */
  ads: readonly AdTotal[];
  /**
   * The most clicks an ad absent from `ads` can have in this minute (the next ad's count, or any upper bound of it):
   * 0 when `ads` lists every ad of the minute.
   */
  floor: number;
}

interface Candidate {
  /** Clicks seen in the lists that name the ad: a lower bound of its window total. */
  known: number;
  /** Sum of `floor` over the lists that name the ad. */
  listedFloors: number;
}

/** Orders like the SQL answer: clicks descending, then ad id ascending (ad ids are ASCII, so `<` is byte order). */
export function byClicksThenAdId(a: AdTotal, b: AdTotal): number {
  if (a.clicks !== b.clicks) return b.clicks - a.clicks;
  return a.adId < b.adId ? -1 : a.adId > b.adId ? 1 : 0;
}

/**
 * Exact top-N over a window from per-minute top lists (the threshold idea of Fagin et al.), without grouping every
 * row of the window. An ad that a minute's list does not name has at most that list's `floor` clicks in it, so:
 * - an ad named by no list has at most `unseenBound` = the sum of all floors;
 * - a named ad has at least `known` and at most `known + unseenBound - listedFloors`.
 * The answer is exact when the n-th ad's exact count beats `unseenBound` (strictly: an unseen ad with as many clicks
 * could win the tie on its id), and every named ad that could still reach the top n has had its count resolved.
 * Otherwise the caller falls back to the full GROUP BY.
 */
export class TopNMerge {
  readonly unseenBound: number;
  private readonly candidates = new Map<string, Candidate>();

  constructor(
    lists: readonly MinuteTopList[],
    private readonly n: number,
  ) {
    let unseen = 0;
    for (const list of lists) {
      unseen += list.floor;
      for (const { adId, clicks } of list.ads) {
        const c = this.candidates.get(adId);
        if (c) {
          c.known += clicks;
          c.listedFloors += list.floor;
        } else this.candidates.set(adId, { known: clicks, listedFloors: list.floor });
      }
    }
    this.unseenBound = unseen;
  }

  /**
   * Ads whose exact window count is needed: named ads that some list missed (so their count is not fully known)
   * and whose upper bound reaches the n-th best lower bound. Undefined when the lists cannot decide the answer
   * (fewer named ads than n while unseen ads may have clicks), or when more than `limit` ads would need resolving.
   */
  toResolve(limit: number): string[] | undefined {
    if (this.candidates.size < this.n && this.unseenBound > 0) return undefined;
    const threshold = this.nthKnown();
    const out: string[] = [];
    for (const [adId, c] of this.candidates) {
      if (this.upperBound(c) > c.known && this.upperBound(c) >= threshold) {
        out.push(adId);
        if (out.length > limit) return undefined;
      }
    }
    return out;
  }

  /**
   * The exact top n, given exact window counts of the ads `toResolve` named; undefined when an ad whose count is
   * not known (unnamed, or named but unresolved) could still belong in it.
   */
  rank(exact: ReadonlyMap<string, number>): AdTotal[] | undefined {
    const known: AdTotal[] = [];
    const unknownBounds: number[] = [];
    for (const [adId, c] of this.candidates) {
      const resolved = exact.get(adId);
      if (resolved !== undefined) known.push({ adId, clicks: resolved });
      else if (this.upperBound(c) === c.known) known.push({ adId, clicks: c.known });
      else unknownBounds.push(this.upperBound(c));
    }
    known.sort(byClicksThenAdId);
    const top = known.slice(0, this.n);
    if (this.unseenBound === 0 && unknownBounds.length === 0) return top;
    if (top.length < this.n) return undefined;
    const nth = top[this.n - 1].clicks;
    if (this.unseenBound >= nth) return undefined;
    return unknownBounds.every((ub) => ub < nth) ? top : undefined;
  }

  private upperBound(c: Candidate): number {
    return c.known + this.unseenBound - c.listedFloors;
  }

  /** The n-th largest lower bound among named ads (0 when fewer than n are named). */
  private nthKnown(): number {
    if (this.candidates.size < this.n) return 0;
    const knowns = Array.from(this.candidates.values(), (c) => c.known).sort((a, b) => b - a);
    return knowns[this.n - 1];
  }
}
