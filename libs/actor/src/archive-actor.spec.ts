import { Logger } from '@nestjs/common';
import { encodeClick } from '@clicks/events';
import { RawArchiveWriter, RawClickRow } from '@clicks/store';
import { ShardEntry, ShardStream } from '@clicks/stream';
import { ArchiveActor } from './archive-actor';

/** A shard stream's archive group in memory: entries, what was delivered, what is still pending. */
class FakeArchiveGroup {
  private readonly entries: ShardEntry[] = [];
  private delivered = 0;
  readonly pending = new Set<string>();
  readonly acked: string[] = [];

  append(n: number): void {
    for (let i = 0; i < n; i++) {
      const id = `${1000 + this.entries.length}-0`;
      this.entries.push({ id, click: encodeClick({ eventId: `e${id}`, adId: 'ad-1', ts: 1000, country: 'DE' }) });
    }
  }

  readonly stream = {
    ensureGroup: () => Promise.resolve(),
    readNew: (count: number) => {
      const batch = this.entries.slice(this.delivered, this.delivered + count);
      this.delivered += batch.length;
      for (const e of batch) this.pending.add(e.id);
      return new Promise<ShardEntry[]>((r) => setImmediate(() => r(batch)));
    },
    readPending: (after: string, count: number) =>
      Promise.resolve(this.entries.filter((e) => this.pending.has(e.id) && e.id > after).slice(0, count)),
    ack: (ids: readonly string[]) => {
      for (const id of ids) if (this.pending.delete(id)) this.acked.push(id);
      return Promise.resolve();
    },
  } as unknown as ShardStream;
}

/** A raw archive writer whose writes the test settles one by one. */
class ManualWriter {
  readonly writes: { rows: RawClickRow[]; done: () => void; fail: (e: Error) => void }[] = [];
  readonly stored = new Set<string>();
  readonly writer = {
    write: (rows: RawClickRow[]) =>
      new Promise<void>((done, fail) =>
        this.writes.push({
          rows,
          done: () => {
            for (const r of rows) this.stored.add(r.eventId);
            done();
          },
          fail,
        }),
      ),
  } as unknown as RawArchiveWriter;
}

const ticks = async (n = 20) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('ArchiveActor', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('reads ahead while up to 4 writes wait for QuestDB, acknowledging each batch once written', async () => {
    const group = new FakeArchiveGroup();
    const qdb = new ManualWriter();
    group.append(10);
    const actor = new ArchiveActor(0, group.stream, qdb.writer, 2, 1);
    actor.start();
    await ticks();
    expect(qdb.writes.map((w) => w.rows.length)).toEqual([2, 2, 2, 2]); // the fifth waits for the first
    expect(group.acked).toEqual([]);
    qdb.writes[1].done(); // out of order: acknowledged at once
    await ticks();
    expect(group.acked).toEqual(['1002-0', '1003-0']);
    qdb.writes[0].done();
    await ticks();
    expect(qdb.writes).toHaveLength(5);
    for (const w of qdb.writes.slice(2)) w.done();
    const stopped = actor.stop();
    await ticks();
    for (const w of qdb.writes.slice(5)) w.done();
    await stopped;
    expect([...group.acked].sort()).toEqual([...qdb.stored].map((id) => id.slice(1)).sort());
    expect(group.acked).toHaveLength(10);
  });

  it('after a failed write, the batches in flight settle, then everything unacknowledged is archived again', async () => {
    const group = new FakeArchiveGroup();
    const qdb = new ManualWriter();
    group.append(6);
    const actor = new ArchiveActor(0, group.stream, qdb.writer, 2, 1);
    actor.start();
    await ticks();
    expect(qdb.writes).toHaveLength(3);
    qdb.writes[0].fail(new Error('QuestDB refused the request'));
    await ticks();
    expect(qdb.writes).toHaveLength(3); // nothing new is read before the others settle
    qdb.writes[1].done();
    qdb.writes[2].done();
    await new Promise((r) => setTimeout(r, 150)); // the retry back-off (100 ms)
    await ticks();
    expect(qdb.writes[3].rows.map((r) => r.eventId)).toEqual(['e1000-0', 'e1001-0']); // the failed batch, re-read
    qdb.writes[3].done();
    const stopped = actor.stop();
    await ticks();
    for (const w of qdb.writes.slice(4)) w.done();
    await stopped;
    expect(actor.stats.errors).toBe(1);
    expect([...group.acked].sort()).toEqual(['1000-0', '1001-0', '1002-0', '1003-0', '1004-0', '1005-0']);
    expect(group.pending.size).toBe(0);
  });
});
