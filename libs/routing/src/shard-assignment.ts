import HashRing from 'hashring';
import { shardName } from './shard-router';

/**
 * Spreads shards over live workers by consistent hashing over worker ids, so that a worker joining or leaving
 * moves only its own share of shards. Returns worker id -> owned shard indexes (every worker present).
 */
export function assignShards(workerIds: readonly string[], shardCount: number): Map<string, number[]> {
  const result = new Map<string, number[]>(workerIds.map((w) => [w, []]));
  if (workerIds.length === 0) return result;
  const ring = new HashRing([...workerIds].sort(), 'md5', { 'vnode count': 160 });
  for (let i = 0; i < shardCount; i++) {
    result.get(ring.get(shardName(i)))?.push(i);
  }
  return result;
}
