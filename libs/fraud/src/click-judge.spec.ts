import { WindowAggregator } from '@clicks/windowing';
import { ClickJudge, FraudRules, JudgedClick } from './click-judge';
import { InvalidReason } from './invalid-reason';
import { InvalidCidrError, IpBlocklist, normalizeCidr } from './ip-blocklist';

const RULES: FraudRules = { bots: true, ipMaxPerAdMinute: 3, repeatMs: 10_000, minImpressionMs: 300 };
const T = Date.UTC(2026, 11, 1, 10, 0, 0);
const BROWSER =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

/** Judges clicks in order with a fresh window state, as a shard actor does; returns each verdict. */
function verdicts(clicks: Partial<JudgedClick>[], rules = RULES, blocklist?: IpBlocklist): (InvalidReason | null)[] {
  const judge = new ClickJudge(rules, blocklist);
  const cells = new WindowAggregator(300_000);
  return clicks.map((c) => judge.judge({ adId: 'ad', ts: T, ...c }, cells));
}

describe('ClickJudge', () => {
  it.each<[string, Partial<JudgedClick>[], (InvalidReason | null)[]]>([
    ['a browser click', [{ userAgent: BROWSER, ip: '198.51.100.1' }], [null]],
    ['a crawler', [{ userAgent: 'Googlebot/2.1 (+http://www.google.com/bot.html)' }], ['bot']],
    ['curl', [{ userAgent: 'curl/8.5.0' }], ['bot']],
    ['an impression a bot requested', [{ userAgent: BROWSER, impressionBot: true }], ['bot']],
    ['a click 299 ms after its impression', [{ impressionAt: T - 299 }], ['too_fast']],
    ['a click 300 ms after its impression', [{ impressionAt: T - 300 }], [null]],
    [
      'the 4th click of one ip on one ad in a minute',
      [1, 2, 3, 4, 5].map((i) => ({ ip: '198.51.100.1', ts: T + i })),
      [null, null, null, 'ip_rate', 'ip_rate'],
    ],
    [
      'another minute starts a new tally',
      [0, 1, 2, 3].map((i) => ({ ip: '198.51.100.1', ts: T + i * 20_000 })),
      [null, null, null, null],
    ],
    [
      'another ip or another ad has its own tally',
      [
        ...[1, 2, 3].map((i) => ({ ip: '198.51.100.1', ts: T + i })),
        { ip: '198.51.100.2', ts: T + 4 },
        { ip: '198.51.100.1', adId: 'other', ts: T + 5 },
      ],
      [null, null, null, null, null],
    ],
    [
      'bots count toward the ip tally under their own reason',
      [{ ip: '1.2.3.4', userAgent: 'curl/8' }, { ip: '1.2.3.4' }, { ip: '1.2.3.4' }, { ip: '1.2.3.4' }],
      ['bot', null, null, 'ip_rate'],
    ],
    [
      'a user clicking again within 10 s of a valid click',
      [
        { userId: 'u', ts: T },
        { userId: 'u', ts: T + 9_999 },
        { userId: 'u', ts: T + 10_000 },
      ],
      [null, 'repeat_user', null],
    ],
    [
      'the window is measured from the last valid click, not the last click',
      [
        { userId: 'u', ts: T },
        { userId: 'u', ts: T + 6_000 },
        { userId: 'u', ts: T + 12_000 },
      ],
      [null, 'repeat_user', null],
    ],
    [
      'a repeat across a minute boundary',
      [
        { userId: 'u', ts: T + 55_000 },
        { userId: 'u', ts: T + 61_000 },
      ],
      [null, 'repeat_user'],
    ],
    [
      'a click out of order, within 10 s',
      [
        { userId: 'u', ts: T + 30_000 },
        { userId: 'u', ts: T + 25_000 },
      ],
      [null, 'repeat_user'],
    ],
    [
      'another user or another ad',
      [{ userId: 'u' }, { userId: 'v' }, { userId: 'u', adId: 'other' }],
      [null, null, null],
    ],
    [
      'a click invalid for another reason does not start a repeat window',
      [
        { userId: 'u', userAgent: 'curl/8' },
        { userId: 'u', ts: T + 1 },
      ],
      ['bot', null],
    ],
  ])('%s', (_name, clicks, expected) => {
    expect(verdicts(clicks)).toEqual(expected);
  });

  it('blocks listed addresses and ranges, IPv4 and IPv6, first of all reasons', () => {
    const blocklist = new IpBlocklist(['203.0.113.0/24', '2001:db8::/32', '198.51.100.7']);
    const clicks = ['203.0.113.9', '::ffff:203.0.113.9', '2001:db8::1', '198.51.100.7', '198.51.100.8'].map((ip) => ({
      ip,
      userAgent: 'curl/8',
    }));
    expect(verdicts(clicks, RULES, blocklist)).toEqual(['blocked_ip', 'blocked_ip', 'blocked_ip', 'blocked_ip', 'bot']);
  });

  it('turns each rule off at 0 / false', () => {
    const off: FraudRules = { bots: false, ipMaxPerAdMinute: 0, repeatMs: 0, minImpressionMs: 0 };
    const clicks = [1, 2, 3, 4, 5].map((i) => ({
      ip: '1.2.3.4',
      userId: 'u',
      userAgent: 'curl/8',
      impressionAt: T,
      ts: T + i,
    }));
    expect(verdicts(clicks, off)).toEqual([null, null, null, null, null]);
  });

  it('reaches the same verdicts after a snapshot and restore in the middle (the state is in the windows)', () => {
    const clicks = Array.from({ length: 40 }, (_, i) => ({
      adId: 'ad',
      ts: T + i * 1_500,
      ip: `10.0.0.${i % 2}`,
      userId: `u${i % 3}`,
    }));
    const judge = new ClickJudge(RULES);
    let cells = new WindowAggregator(300_000);
    const straight = clicks.map((c) => judge.judge(c, cells));
    cells = new WindowAggregator(300_000);
    const resumed = clicks.slice(0, 17).map((c) => judge.judge(c, cells));
    cells = WindowAggregator.restore(cells.snapshot(), 300_000);
    resumed.push(...clicks.slice(17).map((c) => judge.judge(c, cells)));
    expect(resumed).toEqual(straight);
    expect(straight.filter((v) => v !== null).length).toBeGreaterThan(0);
  });

  it('screens late clicks with the rules that need no memory', () => {
    const judge = new ClickJudge(RULES, new IpBlocklist(['10.0.0.0/8']));
    expect(judge.screen({ adId: 'a', ts: T, ip: '10.1.1.1' })).toBe('blocked_ip');
    expect(judge.screen({ adId: 'a', ts: T, impressionAt: T - 10 })).toBe('too_fast');
    expect(judge.screen({ adId: 'a', ts: T, ip: '11.1.1.1', userAgent: BROWSER })).toBeNull();
  });
});

describe('normalizeCidr', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7/32'],
    [' 203.0.113.0/24 ', '203.0.113.0/24'],
    ['2001:0DB8:0000::1', '2001:db8::1/128'],
    ['2001:db8::/32', '2001:db8::/32'],
  ])('%s -> %s', (input, expected) => expect(normalizeCidr(input)).toBe(expected));

  it.each(['', 'nope', '1.2.3.4/33', '1.2.3.4/-1', '1.2.3.4/8/8', '2001:db8::/129', '1.2.3.4/x'])(
    'refuses %j',
    (input) => expect(() => normalizeCidr(input)).toThrow(InvalidCidrError),
  );
});
