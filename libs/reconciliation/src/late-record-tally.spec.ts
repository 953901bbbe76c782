import { encodeClick, encodeLateRecord, LATE_REASON } from '@clicks/events';
import { LateRecordTally } from './late-record-tally';
import { MinuteShardTallies } from './minute-reconciliation';

const M = 60_000;
const T0 = Date.UTC(2026, 10, 25, 12, 0);
/** A late record as written before late clicks were folded in: such a click is counted nowhere else. */
const record = (eventId: string, ts: number, adId = 'ad-1') =>
  JSON.stringify({
    entryId: `${ts}-0`,
    click: encodeClick({ eventId, adId, ts }),
    reason: LATE_REASON,
    observedStreamTime: ts + 10 * M,
  });

describe('LateRecordTally', () => {
  const lateOf = (tally: LateRecordTally) => {
    const t: MinuteShardTallies = new Map();
    tally.addTo(t);
    return [...t].flatMap(([minute, shards]) => [...shards].map(([shard, x]) => [minute - T0, shard, x.late]));
  };

  it("leaves out folded-in late clicks: their minute's late row of the aggregates counts them", () => {
    const tally = new LateRecordTally({ from: T0, to: T0 + 2 * M });
    tally.add('s0', '1-0', encodeLateRecord(`${T0}-0`, encodeClick({ eventId: 'f1', adId: 'ad-1', ts: T0 }), T0 + M));
    tally.add('s0', '2-0', record('e1', T0));
    expect(lateOf(tally)).toEqual([[0, 's0', 1]]);
  });

  it('counts each click once per event time and id, in its minute and shard, inside the range only', () => {
    const tally = new LateRecordTally({ from: T0, to: T0 + 2 * M });
    tally.add('s0', '1-0', record('e1', T0));
    tally.add('s0', '2-0', record('e1', T0)); // re-sent after the de-dup horizon: one archived row
    tally.add('s0', '4-0', record('e1', T0 + 1)); // same id, other time: the archive keeps two rows
    tally.add('s1', '5-0', record('e2', T0 + M));
    tally.add('s1', '6-0', record('e3', T0 + 2 * M)); // at `to`: outside
    tally.add('s1', '7-0', record('e4', T0 - 1)); // before `from`: outside
    expect(lateOf(tally)).toEqual([
      [0, 's0', 2],
      [M, 's1', 1],
    ]);
    expect(tally.unreadable).toEqual(new Map());
  });

  it('counts a click late on two shards once, on the shard of the last recorded copy', () => {
    const tally = new LateRecordTally({ from: T0, to: T0 + M });
    tally.add('s0', '9-0', record('e1', T0)); // recorded last, though read first
    tally.add('s3', '3-0', record('e1', T0));
    tally.add('s3', '4-0', record('e2', T0));
    tally.add('s0', '2-0', record('e2', T0));
    expect(lateOf(tally)).toEqual([
      [0, 's0', 1],
      [0, 's3', 1],
    ]);
  });

  it('keeps one ad only when asked', () => {
    const tally = new LateRecordTally({ from: T0, to: T0 + M }, 'ad-2');
    tally.add('s0', '1-0', record('e1', T0, 'ad-1'));
    tally.add('s0', '2-0', record('e2', T0, 'ad-2'));
    expect(lateOf(tally)).toEqual([[0, 's0', 1]]);
  });

  it('counts what is not a late record as unreadable and carries on', () => {
    const tally = new LateRecordTally({ from: T0, to: T0 + M });
    tally.add('s0', '1-0', undefined);
    tally.add('s2', '2-0', '{"entryId":"1-0"}');
    tally.add('s2', '3-0', 'x');
    tally.add('s0', '4-0', record('e1', T0));
    expect(tally.unreadable).toEqual(
      new Map([
        ['s0', 1],
        ['s2', 2],
      ]),
    );
    expect(lateOf(tally)).toEqual([[0, 's0', 1]]);
  });
});
