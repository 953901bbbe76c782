import { isbot } from 'isbot';
import { LRUCache } from 'lru-cache';
import { STATE_CELL_PREFIX, WINDOW_MS, windowStart } from '@clicks/windowing';
import { InvalidReason } from './invalid-reason';
import { IpBlocklist } from './ip-blocklist';

/**
 * isbot's one large regular expression costs about 9 µs per user agent, more than the rest of a click's work, while
 * traffic repeats a few thousand agents: verdicts are remembered (the same answer, so replays are unaffected).
 */
const botAgents = new LRUCache<string, boolean>({ max: 50_000 });

/** A user agent on the isbot list of crawlers, bots and HTTP libraries. */
export function isBotAgent(userAgent: string): boolean {
  let bot = botAgents.get(userAgent);
  if (bot === undefined) botAgents.set(userAgent, (bot = isbot(userAgent)));
  return bot;
}

/** The rule settings; 0 turns a limit off. */
export interface FraudRules {
  /** Judge user agents with the isbot list (and trust an impression's own bot flag). */
  bots: boolean;
  /** Clicks of one ip on one ad per event-time minute beyond which they are invalid (`ip_rate`). */
  ipMaxPerAdMinute: number;
  /** A user's click on an ad this close (ms) to their previous valid click on it is invalid (`repeat_user`). */
  repeatMs: number;
  /** A redirect click this soon (ms) after its impression was issued is invalid (`too_fast`). */
  minImpressionMs: number;
}

/** What the rules look at in a click. */
export interface JudgedClick {
  adId: string;
  ts: number;
  ip?: string;
  userId?: string;
  userAgent?: string;
  /** When the click's impression was issued (redirect clicks). */
  impressionAt?: number;
  /** The impression was requested by a bot. */
  impressionBot?: boolean;
}

/**
 * The memory the stateful rules keep, as numbers in cells of event-time minutes: the shard's window state, so it is
 * checkpointed, restored and evicted with the windows (a minute's cells go when its window closes).
 */
export interface VerdictCells {
  cellValue(minute: number, key: string): number | undefined;
  setCell(minute: number, key: string, value: number): void;
}

/** Rule-state cell keys start with the windows' state-cell prefix, which no count key can: never written as rows. */
const ipKey = (adId: string, ip: string) => `${STATE_CELL_PREFIX}i\u0000${adId}\u0000${ip}`;
const userKey = (adId: string, userId: string) => `${STATE_CELL_PREFIX}u\u0000${adId}\u0000${userId}`;

/**
 * Decides whether a click is billable, as a pure function of the clicks judged before it (stream order), the rules
 * and the blocklist in force: a replay of the same stream prefix reaches the same verdicts. Stateful rules keep
 * their memory in the shard's minute cells: `ip_rate` a count per (minute, ad, ip); `repeat_user` the time of a
 * user's last valid click on an ad, kept in the minute R after it (the last minute a click within R of it can be
 * in), so it lives exactly as long as a click that is not late can still need it.
 */
export class ClickJudge {
  constructor(
    private readonly rules: FraudRules,
    private blocklist: IpBlocklist = new IpBlocklist(),
  ) {}

  /** Replaces the blocklist: every click judged after this sees the new one. */
  useBlocklist(blocklist: IpBlocklist): void {
    this.blocklist = blocklist;
  }

  /** The rules that need no memory: all that applies to a late click, whose minute's memory is gone. */
  screen(click: JudgedClick): InvalidReason | null {
    if (click.ip !== undefined && this.blocklist.blocks(click.ip)) return 'blocked_ip';
    if (
      this.rules.bots &&
      (click.impressionBot === true || (click.userAgent !== undefined && isBotAgent(click.userAgent)))
    ) {
      return 'bot';
    }
    if (this.rules.minImpressionMs > 0 && click.impressionAt !== undefined) {
      if (click.ts - click.impressionAt < this.rules.minImpressionMs) return 'too_fast';
    }
    return null;
  }

  /** Every rule, recording the click in `cells` (a click that is not late, in a minute still open). */
  judge(click: JudgedClick, cells: VerdictCells): InvalidReason | null {
    let reason = this.screen(click);
    if (click.ip !== undefined && this.rules.ipMaxPerAdMinute > 0) {
      // Every click from the ip counts toward the limit, whatever its verdict: a flood is a flood.
      const minute = windowStart(click.ts);
      const key = ipKey(click.adId, click.ip);
      const seen = (cells.cellValue(minute, key) ?? 0) + 1;
      cells.setCell(minute, key, seen);
      if (reason === null && seen > this.rules.ipMaxPerAdMinute) reason = 'ip_rate';
    }
    if (click.userId !== undefined && this.rules.repeatMs > 0 && reason === null) {
      const key = userKey(click.adId, click.userId);
      if (this.repeats(click.ts, key, cells)) return 'repeat_user';
      const minute = windowStart(click.ts + this.rules.repeatMs);
      cells.setCell(minute, key, Math.max(click.ts, cells.cellValue(minute, key) ?? Number.NEGATIVE_INFINITY));
    }
    return reason;
  }

  /** A valid click of the user on the ad within R of `ts`: kept in the minutes of [ts, ts + 2R). */
  private repeats(ts: number, key: string, cells: VerdictCells): boolean {
    const r = this.rules.repeatMs;
    for (let minute = windowStart(ts); minute < ts + 2 * r; minute += WINDOW_MS) {
      const last = cells.cellValue(minute, key);
      if (last !== undefined && Math.abs(ts - last) < r) return true;
    }
    return false;
  }
}
