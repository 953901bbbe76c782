import { shardName } from '@clicks/routing';

/**
 * Every key of a shard carries the shard's hash tag (`{s7}`), so each Lua script and transaction touches one
 * Redis Cluster slot.
 */
export const streamKeys = {
  stream: (shard: number) => `clicks:{${shardName(shard)}}`,
  /** The de-dup ids of one time bucket of a horizon (see ENQUEUE_CLICKS), a set. */
  seen: (shard: number, horizonSeconds: number, bucket: number) =>
    `clicks:{${shardName(shard)}}:dedup:${horizonSeconds}:${bucket}`,
  checkpoint: (shard: number) => `clicks:{${shardName(shard)}}:checkpoint`,
  /** The counts of one open window of the shard (a hash: cell key -> cumulative clicks), part of the checkpoint. */
  window: (shard: number, start: number) => `clicks:{${shardName(shard)}}:win:${start}`,
  lease: (shard: number) => `clicks:{${shardName(shard)}}:lease`,
  epoch: (shard: number) => `clicks:{${shardName(shard)}}:epoch`,
  /** Late events of the shard, with their reason (per shard, so the checkpoint script stays in one slot). */
  late: (shard: number) => `clicks:{${shardName(shard)}}:late`,
  /**
   * The cumulative late clicks folded into one minute (a hash: cell key -> clicks), written by the checkpoint that
   * acknowledges them; kept for the retention period.
   */
  lateWindow: (shard: number, minute: number) => `clicks:{${shardName(shard)}}:latewin:${minute}`,
  /** Entries the actor could not count (trimmed before it read them, malformed), with the reason: kept to inspect. */
  deadLetter: (shard: number) => `clicks:{${shardName(shard)}}:dead`,
};

/** The de-dup bucket of a time: whole horizons since the epoch. */
export function seenBucket(nowMs: number, horizonSeconds: number): number {
  return Math.floor(nowMs / 1000 / horizonSeconds);
}

/** Cluster-wide keys (one slot each): live workers, drained workers, the hot-ad registry and its candidates. */
export const CONTROL_KEYS = {
  workers: 'clicks:workers',
  drained: 'clicks:workers:drained',
  hotAds: 'clicks:hot-ads',
  hotCandidates: 'clicks:hot-ads:candidates',
  /** The operator's ip blocklist (a hash: cidr -> entry) and its version, bumped by every change (one slot). */
  blocklist: 'clicks:{blocklist}',
  blocklistVersion: 'clicks:{blocklist}:version',
} as const;

/** Consumer groups: the aggregating actors, and the raw archive. */
export const GROUPS = { aggregate: 'aggregate', archive: 'archive' } as const;

/**
 * The owner of a shard reads as this one consumer name: only the lease holder can read (fencedRead checks the
 * epoch under WATCH), so a new owner finds the old owner's pending entries under the same name and needs no XAUTOCLAIM.
 */
export const SHARD_CONSUMER = 'owner';

/**
 * Field names of a stream entry: the clicks of one intake call and shard (their JSON joined by newlines), an idle
 * tick that moves stream time in-band, or the ip blocklist in force from that entry on (JSON `{version, cidrs}`), so
 * that a replay judges every click by the same list. `click` (one click per field) is what earlier versions wrote:
 * still read, no longer written.
 */
export const ENTRY_FIELDS = { clicks: 'clicks', click: 'c', tick: 't', blocklist: 'b' } as const;

/** The click payloads one field of a stream entry holds, in order (either layout); null for any other field. */
export function clicksOfField(field: string, value: string): string[] | null {
  if (field === ENTRY_FIELDS.clicks) return value.split('\n');
  return field === ENTRY_FIELDS.click ? [value] : null;
}

/** Every click payload of a stream entry's fields (none for a tick, a blocklist or an unknown entry). */
export function clicksOfEntry(fields: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2)
    for (const c of clicksOfField(fields[i], fields[i + 1]) ?? []) out.push(c);
  return out;
}

/** The fields of an entry holding these click payloads, as ENQUEUE_CLICKS writes them (JSON has no raw newline). */
export function clickEntryFields(payloads: readonly string[]): [string, string] {
  return [ENTRY_FIELDS.clicks, payloads.join('\n')];
}
