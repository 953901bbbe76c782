/*
 * Memory: Redis runs with maxmemory and noeviction. Intake's ENQUEUE_CLICKS is refused when Redis is full (its first
 * write fails, so nothing of the call is stored, and ingest answers 503). The aggregator's scripts are flagged
 * allow-oom: they store little, and their acknowledgements let trimming free the memory that intake needs.
 */

/**
 * De-dup and append, atomically per click, for many clicks in one call (fewer Redis calls per click). The clicks
 * may belong to several shards on one Redis; on a Redis Cluster a call holds one shard's clicks (one slot).
 * De-dup ids live in sets per shard and time bucket of one horizon (`...:dedup:<horizon>:<bucket>`, bucket =
 * floor(unix seconds / horizon), by Redis's clock so that every ingest agrees): an id is a duplicate if the current
 * or the previous bucket holds it, so it is remembered for at least one horizon (at most two). The caller names the
 * buckets b-2 .. b+1 around its own clock's bucket b (Redis Cluster needs every key declared): a call is refused
 * with CLOCKSKEW when Redis's bucket is not b-1, b or b+1 (never for a clock off by less than one horizon, always
 * for one off by two or more).
 * KEYS: the S streams, then per stream its 4 seen sets for buckets b-2, b-1, b, b+1. ARGV: S, horizon seconds,
 * touch-on-duplicate (1/0), b, the clicks field's name, then per stream (in KEYS order) its clicks as n, the n de-dup
 * ids and their n payloads joined by newlines (JSON has none of its own), in call order. The ids of one stream in one
 * call must be distinct (the caller leaves out repeats): the script then does no per-click work in Lua beyond reading
 * two membership replies, and stores the joined payloads as they came when nothing is a duplicate; only then does it
 * cut the duplicates out (docs/benchmarks.md, "The intake script").
 * The new clicks of one stream in one call become ONE entry with ONE field holding them all (in call order): an XADD,
 * a delivery and an acknowledgement per call and shard instead of per click, and replies of two fields instead of
 * two per click (docs/benchmarks.md, "Several clicks per stream entry"). Returns per stream {entry id or 0 when
 * nothing was new, then the 1-based positions of its duplicates}. Every id of the call is added to the current set
 * (a duplicate found only in the previous set is then remembered one bucket longer, which is harmless).
 * With touch-on-duplicate, a call that stored nothing new for a shard but found a duplicate re-sets the expiry of
 * the set holding it (to the same time), only so that the call is a replicated write: a WAIT after it then also
 * covers the original append, which may have been written by another connection and not be on a replica yet.
 */
export const ENQUEUE_CLICKS = `
local streams = tonumber(ARGV[1])
local horizon = tonumber(ARGV[2])
local touch = ARGV[3] == '1'
local b = tonumber(ARGV[4])
local now = redis.call('TIME')
local cur = math.floor(tonumber(now[1]) / horizon)
if cur < b - 1 or cur > b + 1 then
  return redis.error_reply('CLOCKSKEW ingest clock bucket ' .. b .. ', Redis clock bucket ' .. cur)
end
local out = {}
local field = ARGV[5]
local pos = 6
for s = 1, streams do
  local n = tonumber(ARGV[pos])
  local firstId, lastId = pos + 1, pos + n
  local payloads = ARGV[pos + n + 1]
  pos = pos + n + 2
  local current = KEYS[streams + 4 * (s - 1) + cur - b + 3]
  local previous = KEYS[streams + 4 * (s - 1) + cur - b + 2]
  local inCurrent = redis.call('SMISMEMBER', current, unpack(ARGV, firstId, lastId))
  local inPrevious = redis.call('SMISMEMBER', previous, unpack(ARGV, firstId, lastId))
  local reply = {0}
  local seenCurrent, seenPrevious = false, false
  for k = 1, n do
    if inCurrent[k] == 1 or inPrevious[k] == 1 then
      reply[#reply + 1] = k
      seenCurrent = seenCurrent or inCurrent[k] == 1
      seenPrevious = seenPrevious or inPrevious[k] == 1
    end
  end
  local fresh = n - (#reply - 1)
  if fresh == n then
    reply[1] = redis.call('XADD', KEYS[s], '*', field, payloads)
  elseif fresh > 0 then
    local kept = {}
    local d, start = 2, 1
    for k = 1, n do
      local stop = string.find(payloads, '\\n', start, true)
      if reply[d] == k then
        d = d + 1
      else
        kept[#kept + 1] = string.sub(payloads, start, (stop or 0) - 1)
      end
      start = (stop or #payloads) + 1
    end
    reply[1] = redis.call('XADD', KEYS[s], '*', field, table.concat(kept, '\\n'))
  end
  if fresh > 0 or (touch and seenCurrent) then
    if fresh > 0 then redis.call('SADD', current, unpack(ARGV, firstId, lastId)) end
    redis.call('PEXPIREAT', current, (cur + 2) * horizon * 1000)
  elseif touch and seenPrevious then
    redis.call('PEXPIREAT', previous, (cur + 1) * horizon * 1000)
  end
  out[s] = reply
end
return out`;

/**
 * Takes or renews a shard lease. KEYS: lease hash, epoch counter. ARGV: owner, ttl ms.
 * Returns the fencing epoch held, or 0 when another owner holds the lease. Every takeover increases the epoch.
 */
export const ACQUIRE_LEASE = `#!lua flags=allow-oom
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner and owner ~= ARGV[1] then return 0 end
if owner then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return tonumber(redis.call('HGET', KEYS[1], 'epoch'))
end
local epoch = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'epoch', epoch)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return epoch`;

/** Releases a lease if still held at this epoch. KEYS: lease hash. ARGV: epoch. */
export const RELEASE_LEASE = `#!lua flags=allow-oom
if redis.call('HGET', KEYS[1], 'epoch') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Fenced checkpoint: only the lease holder at this epoch may save its state, record the late events and dead letters
 * of the applied entries and XACK them, all in one step, so a replay can neither lose nor repeat any of it. It is
 * also a compare-and-set on the previous checkpoint: `seq` must be the one the actor restored or last wrote, so a
 * delta never lands on another base (a checkpoint a failover lost, another owner's). The state is saved as a delta:
 * one hash per open window (`clicks:{s<i>}:win:<start>`, field = cell key, value = cumulative clicks) gets the cells
 * changed since the last checkpoint, the hashes of windows that closed are removed, and the checkpoint hash keeps
 * the last applied id, the epoch, seq, observedStreamTime and the list of open windows.
 * Late clicks are folded in by the same step: each minute's late hash (`clicks:{s<i>}:latewin:<minute>`) gets its
 * new cumulative cells (the actor read the old ones before its write, and seq guarantees nobody changed them since)
 * and keeps them for the retention period.
 * KEYS: stream, checkpoint hash, lease hash, late stream, dead-letter stream, C changed-window hashes, D
 * closed-window hashes, then W late-minute hashes.
 * ARGV: group, epoch, last applied id, observedStreamTime, open window starts (comma-separated), C, D, L, X, the
 * expected seq, W, the late hashes' TTL (ms), the blocklist in force ('' when unchanged); then per changed window, and then per late minute, its cell count n
 * and n field/value pairs; then L late payloads; then X dead-letter payloads; then the ids to XACK.
 * Returns the new seq.
 */
export const CHECKPOINT = `#!lua flags=allow-oom
if redis.call('HGET', KEYS[3], 'epoch') ~= ARGV[2] then
  return redis.error_reply('FENCED lease epoch ' .. tostring(redis.call('HGET', KEYS[3], 'epoch')) .. ' is not ' .. ARGV[2])
end
local seq = tonumber(redis.call('HGET', KEYS[2], 'seq') or '0')
if seq ~= tonumber(ARGV[10]) then
  return redis.error_reply('FENCED checkpoint seq ' .. seq .. ' is not ' .. ARGV[10])
end
local changed = tonumber(ARGV[6])
local closed = tonumber(ARGV[7])
local late = tonumber(ARGV[8])
local dead = tonumber(ARGV[9])
local lateWindows = tonumber(ARGV[11])
local a = 14
for w = 1, changed + lateWindows do
  local key = KEYS[5 + w]
  if w > changed then key = KEYS[5 + closed + w] end
  local n = tonumber(ARGV[a])
  a = a + 1
  local last = a + 2 * n - 1
  for i = a, last, 2000 do
    redis.call('HSET', key, unpack(ARGV, i, math.min(i + 1999, last)))
  end
  if w > changed then redis.call('PEXPIRE', key, ARGV[12]) end
  a = last + 1
end
for d = 1, closed do redis.call('UNLINK', KEYS[5 + changed + d]) end
redis.call('HSET', KEYS[2], 'lastId', ARGV[3], 'epoch', ARGV[2], 'streamTime', ARGV[4], 'windows', ARGV[5], 'seq', seq + 1)
redis.call('HDEL', KEYS[2], 'state')
if ARGV[13] ~= '' then redis.call('HSET', KEYS[2], 'blocklist', ARGV[13]) end
for i = a, a + late - 1 do
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', 1000000, '*', 'late', ARGV[i])
end
a = a + late
for i = a, a + dead - 1 do
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', 100000, '*', 'dead', ARGV[i])
end
for i = a + dead, #ARGV, 4000 do
  redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, i, math.min(i + 3999, #ARGV)))
end
return seq + 1`;

/**
 * Worker heartbeat on Redis's clock: records this worker as alive until now + ttl, forgets expired workers and
 * returns the live ones. KEYS: workers sorted set. ARGV: worker id, ttl ms.
 */
export const HEARTBEAT = `#!lua flags=allow-oom
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if tonumber(ARGV[2]) > 0 then redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1]) end
return redis.call('ZRANGE', KEYS[1], 0, -1)`;
