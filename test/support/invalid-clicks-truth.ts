import { Pool } from 'pg';

/** A click as the test sends it, and what the test knows about it (the bot flag is by construction). */
export interface MixedClick {
  eventId: string;
  adId: string;
  timestamp: number;
  ip?: string;
  userId?: string;
  userAgent?: string;
  country: string;
  /** The user agent is a crawler's (the test picks them: Googlebot, curl). */
  isBot: boolean;
}

export const BROWSER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';
const CRAWLERS = ['Googlebot/2.1 (+http://www.google.com/bot.html)', 'curl/8.5.0'];

export interface Verdicts {
  valid: number;
  invalid: Record<string, number>;
}

/**
 * The rules, written out plainly over the clicks in the order sent (each ip's and each user's clicks of an
 * ad reach one shard in that order): each click's verdict, null when valid. The ground truth of the tests.
 */
export function judgeAll(
  clicks: readonly MixedClick[],
  rules: { ipMaxPerAdMinute: number; repeatMs: number; blocked: (ip: string) => boolean },
): (string | null)[] {
  const ipTally = new Map<string, number>();
  const lastValid = new Map<string, number>();
  return clicks.map((c) => {
    let reason: string | null = null;
    if (c.ip !== undefined && rules.blocked(c.ip)) reason = 'blocked_ip';
    else if (c.isBot) reason = 'bot';
    if (c.ip !== undefined) {
      const key = `${c.adId}|${Math.floor(c.timestamp / 60_000)}|${c.ip}`;
      const n = (ipTally.get(key) ?? 0) + 1;
      ipTally.set(key, n);
      if (reason === null && n > rules.ipMaxPerAdMinute) reason = 'ip_rate';
    }
    if (reason === null && c.userId !== undefined) {
      const key = `${c.adId}|${c.userId}`;
      const last = lastValid.get(key);
      if (last !== undefined && Math.abs(c.timestamp - last) < rules.repeatMs) reason = 'repeat_user';
      else lastValid.set(key, c.timestamp);
    }
    return reason;
  });
}

/** Valid and invalid (per reason) clicks per ad of `clicks` whose verdicts are `verdicts` (see judgeAll). */
export function tally(clicks: readonly MixedClick[], verdicts: readonly (string | null)[]): Map<string, Verdicts> {
  const perAd = new Map<string, Verdicts>();
  clicks.forEach((c, i) => {
    const v = perAd.get(c.adId) ?? { valid: 0, invalid: {} };
    const reason = verdicts[i];
    if (reason === null) v.valid++;
    else v.invalid[reason] = (v.invalid[reason] ?? 0) + 1;
    perAd.set(c.adId, v);
  });
  return perAd;
}

export function expectedVerdicts(
  clicks: readonly MixedClick[],
  rules: { ipMaxPerAdMinute: number; repeatMs: number; blocked: (ip: string) => boolean },
): Map<string, Verdicts> {
  return tally(clicks, judgeAll(clicks, rules));
}

/**
 * One ad's mixed traffic in the event-time minute `minute`: people, a flood from one ip (its first click a
 * crawler's), crawlers, one user clicking repeatedly from one address, and clicks from `blockedIps`.
 */
export function mixedTraffic(adId: string, minute: number, blockedIps: readonly string[] = []): MixedClick[] {
  const clicks: MixedClick[] = [];
  const add = (c: Omit<MixedClick, 'eventId' | 'adId' | 'country' | 'isBot'> & { isBot?: boolean }) =>
    clicks.push({
      eventId: `${adId}-${clicks.length}`,
      adId,
      country: clicks.length % 3 ? 'DE' : 'US',
      isBot: false,
      userAgent: BROWSER_AGENT,
      ...c,
    });
  for (let i = 0; i < 30; i++) {
    add({ timestamp: minute + i * 1500, ip: `10.20.${i}.1`, userId: `person-${i}` });
    if (i === 3) add({ timestamp: minute + 4_000, ip: '203.0.113.50', userAgent: CRAWLERS[0], isBot: true });
    if (i >= 5 && i < 40) {
      for (let k = 0; k < 2; k++) add({ timestamp: minute + 8_000 + i * 200 + k, ip: '203.0.113.50' });
    }
    if (i % 5 === 0)
      add({ timestamp: minute + i * 1500 + 7, ip: `10.30.${i}.9`, userAgent: CRAWLERS[i % 2], isBot: true });
  }
  for (const offset of [2_000, 5_000, 9_000, 13_000, 25_000, 26_000]) {
    add({ timestamp: minute + offset, ip: '198.51.100.77', userId: 'repeat-user' });
  }
  blockedIps.forEach((ip, i) => add({ timestamp: minute + 30_000 + i, ip, userId: `blocked-${i}` }));
  return clicks;
}

/** Valid clicks (ad_clicks_1m) and invalid ones per reason (ad_invalid_clicks_1m) of one ad, as QuestDB has them. */
export async function storedVerdicts(pool: Pool, adId: string): Promise<Verdicts> {
  const valid = await pool.query<{ clicks: number | null }>(
    'SELECT sum(clicks) AS clicks FROM ad_clicks_1m WHERE ad_id = $1',
    [adId],
  );
  const invalid = await pool.query<{ reason: string; clicks: number }>(
    'SELECT reason, sum(clicks) AS clicks FROM ad_invalid_clicks_1m WHERE ad_id = $1 GROUP BY reason',
    [adId],
  );
  return {
    valid: Number(valid.rows[0]?.clicks ?? 0),
    invalid: Object.fromEntries(invalid.rows.map((r) => [r.reason, Number(r.clicks)])),
  };
}
