/**
 * De-dup and append in one atomic step. KEYS: stream, seen-key. ARGV: horizon seconds, payload field, payload.
 * Returns the new entry id, or false when the id was already seen within the horizon.
 */
export const ENQUEUE_CLICK = `
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('XADD', KEYS[1], '*', ARGV[2], ARGV[3])
end
return false`;

/**
 * Takes or renews a shard lease. KEYS: lease hash, epoch counter. ARGV: owner, ttl ms.
 * Returns the fencing epoch held, or 0 when another owner holds the lease. Every takeover increases the epoch.
 */
export const ACQUIRE_LEASE = `
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
export const RELEASE_LEASE = `
if redis.call('HGET', KEYS[1], 'epoch') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Fenced checkpoint: only the lease holder at this epoch may save {state, last applied id} and XACK.
 * KEYS: stream, checkpoint hash, lease hash. ARGV: group, epoch, state, last applied id, acked ids...
 */
export const CHECKPOINT = `
if redis.call('HGET', KEYS[3], 'epoch') ~= ARGV[2] then
  return redis.error_reply('FENCED lease epoch ' .. tostring(redis.call('HGET', KEYS[3], 'epoch')) .. ' is not ' .. ARGV[2])
end
redis.call('HSET', KEYS[2], 'state', ARGV[3], 'lastId', ARGV[4], 'epoch', ARGV[2])
local acked = 0
for i = 5, #ARGV, 4000 do
  acked = acked + redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, i, math.min(i + 3999, #ARGV)))
end
return acked`;
