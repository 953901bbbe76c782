import { Logger } from '@nestjs/common';
import { encodeClick } from '@clicks/events';
import { ShardTestDriver } from './testing/shard-test-driver';

// The failure table of docs/architecture.md, row by row, against in-memory stores on a fake clock.
describe('ShardActor (test driver: in-memory shard and QuestDB, fake clock)', () => {
  let driver: ShardTestDriver;
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => (driver = new ShardTestDriver()));

  it('counts every click once, then acknowledges everything', async () => {
    const a = driver.actor();
    driver.clicks('ad-1', 30);
    driver.clicks('ad-2', 12);
    await driver.settle(a);
    expect(driver.questdb.totals()).toEqual(driver.expected);
    expect(a.snapshotStats()).toMatchObject({ applied: 42, late: 0, malformed: 0, trimmed: 0 });
  });

  it('actor dies after reading, before writing: the next owner replays the pending entries', async () => {
    const a = driver.actor('w1');
    await driver.run(1, a); // takes over
    driver.clicks('ad-1', 20);
    await a.iterate(); // reads and applies; the flush is not due yet, and then the process dies
    expect(driver.shard.pendingCount).toBe(20);
    driver.leaseExpires();
    const b = driver.actor('w2');
    await driver.settle(b);
    expect(driver.questdb.totals()).toEqual(driver.expected);
  });

  it('checkpoint fails after the write: the actor takes over again and re-writes the same values', async () => {
    const a = driver.actor();
    await driver.settle(a);
    driver.clicks('ad-1', 10);
    driver.shard.fail('checkpoint');
    await driver.run(10, a);
    driver.clicks('ad-1', 5);
    await driver.settle(a);
    expect(driver.questdb.totals()).toEqual(driver.expected);
    expect(a.snapshotStats().applied).toBe(15);
  });

  it("a read's reply is lost (connection dropped): the actor takes over again and counts those entries", async () => {
    const a = driver.actor();
    await driver.settle(a);
    driver.shard.loseNextReadReply();
    driver.clicks('ad-1', 25);
    await driver.settle(a);
    expect(driver.questdb.totals()).toEqual(driver.expected);
  });

  describe('entries holding several clicks (as intake packs them)', () => {
    it('counts each click of an entry, acknowledges the entry once', async () => {
      const a = driver.actor();
      driver.packedClicks('ad-1', 5);
      driver.packedClicks('ad-2', 3);
      driver.click('ad-1');
      await driver.settle(a);
      expect(driver.questdb.totals()).toEqual(driver.expected);
      expect(a.snapshotStats()).toMatchObject({ applied: 9, replaySkipped: 0 });
      expect(driver.shard.pendingCount).toBe(0);
    });

    it("a read's reply is lost: the entries' clicks are replayed and counted once each", async () => {
      const a = driver.actor();
      await driver.settle(a);
      driver.shard.loseNextReadReply();
      driver.packedClicks('ad-1', 4);
      driver.packedClicks('ad-1', 6);
      await driver.settle(a);
      expect(driver.questdb.totals()).toEqual(driver.expected);
    });

    it("the next owner replays a dead owner's pending entries, every click of each", async () => {
      const a = driver.actor('w1');
      await driver.run(1, a);
      driver.packedClicks('ad-1', 8);
      await a.iterate(); // reads and applies, then the process dies before its flush
      driver.leaseExpires();
      const b = driver.actor('w2');
      await driver.settle(b);
      expect(driver.questdb.totals()).toEqual(driver.expected);
      expect(b.snapshotStats().applied).toBe(8);
    });

    it('entries delivered to an unfenced reader are recovered by the sweep, every click once', async () => {
      const a = driver.actor();
      await driver.settle(a);
      driver.packedClicks('ad-1', 7);
      driver.shard.deliverUnseen(1);
      driver.packedClicks('ad-1', 2);
      await driver.run(250, a);
      expect(driver.questdb.totals()).toEqual(driver.expected);
      expect(a.snapshotStats().recoveredPending).toBe(7);
    });
  });

  it('Redis unreachable for a while: the loop keeps failing without progress, then recovers exactly', async () => {
    const a = driver.actor();
    await driver.settle(a);
    const progressed = a.stats.stepCompletedAt;
    driver.clicks('ad-1', 10);
    driver.shard.fail('read', 20);
    driver.shard.fail('lease', 20);
    driver.shard.fail('checkpoint', 20);
    await driver.run(15, a);
    expect(a.stats.stepCompletedAt).toBe(progressed); // readiness would be false now
    expect(a.stats.loopIteratedAt).toBeGreaterThan(progressed); // but the loop is not wedged
    driver.clicks('ad-1', 10);
    await driver.settle(a);
    expect(driver.questdb.totals()).toEqual(driver.expected);
  });

  it('a paused owner resumes after another took its shard: it reads and writes nothing more', async () => {
    const a = driver.actor('w1');
    driver.clicks('ad-1', 10);
    await driver.settle(a);
    const rowsOfA = driver.questdb.rowsBy.get('w1');
    const b = driver.actor('w2');
    driver.clock.advance(1001); // w1's renewal is due; it is paused while Redis answers it
    driver.shard.pauseDuringNextLeaseCall(async () => {
      driver.leaseExpires();
      await driver.run(2, b);
      driver.clicks('ad-1', 10);
    });
    await a.iterate(); // resumes with the renewal reply for its old epoch, then reads: refused
    await driver.run(2, a);
    expect(a.snapshotStats()).toMatchObject({ epoch: 0, applied: 10 });
    await driver.settle(b);
    expect(driver.questdb.rowsBy.get('w1')).toBe(rowsOfA);
    expect(driver.questdb.totals()).toEqual(driver.expected);
  });

  it('a checkpoint lost in a failover: the next delta is refused (seq), and a later owner still counts exactly', async () => {
    const a = driver.actor('w1');
    driver.clicks('ad-1', 10);
    await driver.settle(a);
    driver.clicks('ad-1', 10);
    await driver.settle(a);
    driver.shard.loseLastCheckpoint(); // with its acknowledgements: those 10 entries are pending again
    driver.clicks('ad-2', 5);
    await driver.settle(a);
    expect(driver.questdb.totals()).toEqual(driver.expected);
    // A delta laid on the older base would now surface in a new owner's restore.
    driver.leaseExpires();
    const b = driver.actor('w2');
    driver.clicks('ad-1', 1);
    await driver.settle(b);
    expect(driver.questdb.totals()).toEqual(driver.expected);
  });

  it('dead-letters a trimmed pending entry and malformed entries, counts them, and goes on', async () => {
    const a = driver.actor('w1');
    await driver.run(1, a);
    const trimmed = driver.click('ad-1');
    driver.expected['ad-1']--; // its body is gone: it cannot be counted, only dead-lettered
    await a.iterate(); // delivered, then the owner dies
    driver.shard.trimBody(trimmed);
    driver.shard.append({ click: 'not json' });
    driver.shard.append({ click: encodeClick({ eventId: 'x', adId: 'ad-1', ts: driver.clock.now() + 0.5 }) });
    driver.shard.append({ unknown: true });
    driver.clicks('ad-1', 3);
    driver.leaseExpires();
    const b = driver.actor('w2');
    await driver.settle(b);
    expect(driver.questdb.totals()).toEqual(driver.expected);
    expect(b.snapshotStats()).toMatchObject({ applied: 3, trimmed: 1, malformed: 3 });
    const reasons = driver.shard.dead.map((d) => (JSON.parse(d) as { reason: string }).reason).sort();
    expect(reasons).toEqual(['malformed', 'malformed', 'malformed', 'trimmed']);
  });

  it('QuestDB write fails: nothing is acknowledged until a retry succeeds', async () => {
    const a = driver.actor();
    await driver.settle(a);
    driver.clicks('ad-1', 10);
    driver.questdb.fail(1000);
    await driver.run(20, a);
    expect(driver.shard.pendingCount).toBe(10);
    expect(driver.questdb.totals()).toEqual({});
    expect(a.snapshotStats().errors).toBeGreaterThan(3);
    driver.questdb.heal();
    await driver.settle(a);
    expect(driver.questdb.totals()).toEqual(driver.expected);
  });

  it('pending entries nobody holds (an unfenced reader of an older build) are found and counted', async () => {
    const a = driver.actor();
    await driver.settle(a);
    driver.clicks('ad-1', 7);
    driver.shard.deliverUnseen(7);
    driver.clicks('ad-1', 3);
    await driver.run(250, a); // the sweep runs with the trim, every 10 s
    expect(driver.questdb.totals()).toEqual(driver.expected);
    expect(a.snapshotStats().pendingSweeps).toBe(1);
    expect(a.snapshotStats().recoveredPending).toBe(7);
  });

  it('a click for a closed window is recorded late and folded into its own minute, apart', async () => {
    const a = driver.actor();
    driver.click('ad-1');
    await driver.settle(a);
    driver.clock.advance(3 * 60_000);
    driver.click('ad-1'); // moves stream time on
    const old = driver.clock.now() - 3 * 60_000;
    driver.click('ad-1', old);
    await driver.settle(a);
    expect(driver.questdb.totals()).toEqual(driver.expected);
    expect(driver.questdb.lateTotals()).toEqual({ 'ad-1': 1 });
    expect(driver.shard.late).toHaveLength(1);
    // More late clicks of the same minute, in later flushes, add up.
    driver.click('ad-1', old + 1);
    driver.click('ad-1', old + 2);
    await driver.settle(a);
    driver.click('ad-1', old + 3);
    await driver.settle(a);
    expect(driver.questdb.totals()).toEqual(driver.expected);
    expect(driver.questdb.lateTotals()).toEqual({ 'ad-1': 4 });
  });

  it('late clicks 10 minutes, 2 hours and 3 days old count once, also across failed checkpoints and a new owner', async () => {
    const a = driver.actor('w1');
    driver.click('ad-1');
    await driver.settle(a);
    for (const age of [10 * 60_000, 2 * 3_600_000, 3 * 86_400_000]) driver.click('ad-old', driver.clock.now() - age);
    driver.shard.fail('checkpoint', 2); // written to QuestDB, then the checkpoint fails: replayed and re-written
    await driver.settle(a);
    driver.click('ad-old', driver.clock.now() - 2 * 3_600_000);
    await a.iterate(); // read and folded but not yet written; then the owner dies
    driver.leaseExpires();
    const b = driver.actor('w2');
    await driver.settle(b);
    expect(driver.questdb.totals()).toEqual(driver.expected);
    expect(driver.questdb.lateTotals()).toEqual({ 'ad-old': 4 });
    expect(driver.shard.late).toHaveLength(4);
  });

  it("a fast client's clicks count in their own minute but cannot make others' on-time clicks late", async () => {
    const a = driver.actor();
    for (let i = 0; i < 400; i++) driver.click('fast', driver.clock.now() + 270_000);
    driver.clock.advance(3000);
    for (let i = 0; i < 200; i++) driver.click('honest', driver.clock.now() - 40_000);
    await driver.settle(a);
    expect(driver.questdb.totals()).toEqual(driver.expected);
    expect(a.snapshotStats()).toMatchObject({ applied: 600, clamped: 400, late: 0 });
  });

  it("a worker whose clock runs 10 minutes fast cannot close windows early: idle ticks carry Redis's time", async () => {
    const workerClock = { now: () => driver.clock.now() + 10 * 60_000 };
    const a = driver.actor('w1', {}, workerClock);
    driver.click('ad-1');
    await driver.settle(a);
    driver.clock.advance(20_000); // idle: the actor appends ticks
    await driver.run(10, a);
    driver.click('ad-1', driver.clock.now() - 40_000); // inside the allowed lateness (60 s) by Redis's clock
    await driver.settle(a);
    expect(driver.questdb.totals()).toEqual(driver.expected);
    expect(a.snapshotStats().late).toBe(0);
  });

  it("a paused old owner's stale late row landing after the takeover is overwritten a lease period later", async () => {
    const a = driver.actor('w1');
    driver.click('ad-1');
    await driver.settle(a);
    driver.leaseExpires();
    const b = driver.actor('w2');
    const old = driver.clock.now() - 20 * 60_000;
    driver.click('ad-late', old);
    driver.click('ad-late', old + 1);
    await driver.settle(b); // folded in while b's re-write duty is armed
    expect(driver.questdb.lateTotals()).toEqual({ 'ad-late': 2 });
    // w1's write from before its pause lands now, with a lower cumulative late count.
    const minute = Math.floor(old / 60_000) * 60_000;
    const stale = { ts: minute, adId: 'ad-late', country: 'DE', shard: 's0/late', clicks: 1, late: true };
    await driver.questdb.sinkFor('w1-stale').write([stale]);
    expect(driver.questdb.lateTotals()).toEqual({ 'ad-late': 1 });
    await driver.run(80, b); // 4 s: the duty fires one lease period (3 s) after the takeover
    expect(driver.questdb.lateTotals()).toEqual({ 'ad-late': 2 });
    expect(driver.questdb.totals()).toEqual(driver.expected);
  });

  it('two workers want the shard at once: the lease admits one', async () => {
    const [a, b] = [driver.actor('w1'), driver.actor('w2')];
    driver.clicks('ad-1', 10);
    await driver.run(10, a, b);
    expect([a.snapshotStats().epoch > 0, b.snapshotStats().epoch > 0].sort()).toEqual([false, true]);
    await driver.settle(a.snapshotStats().epoch > 0 ? a : b);
    expect(driver.questdb.totals()).toEqual(driver.expected);
  });
});
