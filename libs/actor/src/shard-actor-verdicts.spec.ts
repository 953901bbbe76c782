import { Logger } from '@nestjs/common';
import { ClickEvent, encodeClick } from '@clicks/events';
import { FraudRules } from '@clicks/fraud';
import { ShardActor } from './shard-actor';
import { ShardTestDriver, T0 } from './testing/shard-test-driver';

const FRAUD: FraudRules = { bots: true, ipMaxPerAdMinute: 3, repeatMs: 10_000, minImpressionMs: 300 };
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

/**
 * A mixed stream with the verdicts the rules give it (ip limit 3 per ad-minute, repeats within 10 s): 2 valid, a
 * flood of 6 from one ip (3 invalid), 2 bots, a user's 3 clicks 4 s apart (the middle one a repeat), a click 100 ms
 * after its impression.
 */
function mixedLoad(
  ad: string,
  at: number,
): { clicks: Omit<ClickEvent, 'eventId'>[]; valid: number; invalid: Record<string, number> } {
  const clicks: Omit<ClickEvent, 'eventId'>[] = [
    { adId: ad, ts: at, ip: '198.51.100.1', userAgent: BROWSER },
    { adId: ad, ts: at + 1, ip: '198.51.100.2', userId: 'x' },
    ...Array.from({ length: 6 }, (_, i) => ({ adId: ad, ts: at + 100 + i, ip: '203.0.113.66' })),
    { adId: ad, ts: at + 200, userAgent: 'Googlebot/2.1 (+http://www.google.com/bot.html)' },
    { adId: ad, ts: at + 201, userAgent: BROWSER, impressionBot: true },
    { adId: ad, ts: at + 1000, userId: 'rep' },
    { adId: ad, ts: at + 5000, userId: 'rep' },
    { adId: ad, ts: at + 11_000, userId: 'rep' },
    { adId: ad, ts: at + 2000, impressionAt: at + 1900 },
  ];
  return { clicks, valid: 2 + 3 + 2, invalid: { ip_rate: 3, bot: 2, repeat_user: 1, too_fast: 1 } };
}

describe('ShardActor invalid-click verdicts (test driver)', () => {
  let driver: ShardTestDriver;
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => (driver = new ShardTestDriver()));

  let n = 0;
  const append = (c: Omit<ClickEvent, 'eventId'>) =>
    driver.shard.append({ click: encodeClick({ eventId: `v${n++}`, country: 'DE', ...c }) });
  const actor = (owner = 'w1') => driver.actor(owner, { fraud: FRAUD });
  const expectCounts = (ad: string, valid: number, invalid: Record<string, number>) => {
    expect(driver.questdb.totals()[ad] ?? 0).toBe(valid);
    const got = Object.fromEntries(
      Object.entries(driver.questdb.invalidTotals())
        .filter(([k]) => k.startsWith(`${ad}/`))
        .map(([k, v]) => [k.slice(ad.length + 1), v]),
    );
    expect(got).toEqual(invalid);
    // Each invalid click's verdict is stored once, beside the raw archive.
    const reasons: Record<string, number> = {};
    for (const v of driver.questdb.verdicts.values())
      if (v.adId === ad) reasons[v.reason] = (reasons[v.reason] ?? 0) + 1;
    expect(reasons).toEqual(invalid);
  };

  it('counts valid and invalid clicks apart, per reason', async () => {
    const load = mixedLoad('ad-1', T0);
    load.clicks.forEach(append);
    const a = actor();
    await driver.settle(a);
    expectCounts('ad-1', load.valid, load.invalid);
    expect(a.snapshotStats()).toMatchObject({
      applied: load.valid,
      invalid: 7,
      invalidByReason: { ip_rate: 3, bot: 2, repeat_user: 1, too_fast: 1, blocked_ip: 0 },
    });
  });

  it('reaches the same verdicts when the actor dies mid-load (rule state restored from the checkpoint)', async () => {
    const load = mixedLoad('ad-1', T0);
    const a = actor('w1');
    load.clicks.slice(0, 5).forEach(append);
    await driver.settle(a); // checkpointed: the flood's first 3 clicks are in the ip tally
    load.clicks.slice(5, 11).forEach(append);
    await a.iterate(); // read and applied, never flushed: the process dies here
    driver.leaseExpires();
    const b: ShardActor = actor('w2');
    load.clicks.slice(11).forEach(append);
    await driver.settle(b);
    expectCounts('ad-1', load.valid, load.invalid);
  });

  it('judges a late click by the rules that need no memory, and folds it in as invalid', async () => {
    const a = actor();
    driver.clock.advance(200_000);
    append({ adId: 'ad-1', ts: T0 + 200_000, userId: 'u' });
    await driver.settle(a);
    append({ adId: 'ad-1', ts: T0, userAgent: 'curl/8.5.0' }); // its window closed long ago
    append({ adId: 'ad-1', ts: T0 + 1 });
    await driver.settle(a);
    expect(driver.questdb.invalidTotals()).toEqual({ 'ad-1/bot': 1 });
    expect(driver.questdb.totals()['ad-1']).toBe(2);
    expect(driver.questdb.lateTotals()['ad-1']).toBe(1);
    expect(a.snapshotStats()).toMatchObject({ late: 2, invalidByReason: expect.objectContaining({ bot: 1 }) });
  });

  it('judges clicks by the blocklist in force at their place in the stream, across a takeover', async () => {
    const a = actor('w1');
    append({ adId: 'ad-1', ts: T0, ip: '203.0.113.9' }); // before the list: valid
    await driver.settle(a);
    driver.blocklist = { version: 1, cidrs: ['203.0.113.0/24'] };
    await driver.run(2, a); // the actor puts version 1 into the stream
    append({ adId: 'ad-1', ts: T0 + 1, ip: '203.0.113.10' });
    append({ adId: 'ad-1', ts: T0 + 2, ip: '198.51.100.1' });
    await driver.settle(a);
    expect(a.snapshotStats().blocklistVersion).toBe(1);
    await a.stop();
    const b = actor('w2'); // restores version 1 from the checkpoint
    append({ adId: 'ad-1', ts: T0 + 3, ip: '203.0.113.11' });
    await driver.settle(b);
    expect(b.snapshotStats().blocklistVersion).toBe(1);
    driver.blocklist = { version: 2, cidrs: [] };
    await driver.run(2, b);
    append({ adId: 'ad-1', ts: T0 + 4, ip: '203.0.113.12' });
    await driver.settle(b);
    expectCounts('ad-1', 3, { blocked_ip: 2 });
  });

  it('ignores an older blocklist put in-band late (a paused old owner), and a malformed one is dead-lettered', async () => {
    const a = actor();
    driver.shard.append({ blocklist: JSON.stringify({ version: 3, cidrs: ['10.0.0.0/8'] }) });
    driver.shard.append({ blocklist: JSON.stringify({ version: 2, cidrs: [] }) });
    driver.shard.append({ blocklist: JSON.stringify({ version: 4, cidrs: ['not-an-ip'] }) });
    append({ adId: 'ad-1', ts: T0, ip: '10.1.2.3' });
    await driver.settle(a);
    expect(a.snapshotStats()).toMatchObject({ blocklistVersion: 3, malformed: 1 });
    expectCounts('ad-1', 0, { blocked_ip: 1 });
  });
});
