-- An even offered rate instead of as fast as possible: wrk asks delay() before each request, and each request takes
-- the next slot of a fixed schedule (1000 / rate ms apart, in whole-millisecond steps), whichever connection is free.
-- A schedule that falls behind is caught up, so the achieved rate shows when the app cannot keep up. Not fully open
-- loop: at most one request per connection is outstanding, and wrk times each from its actual send, so when every
-- connection is busy the wait for a free one is not in the latency (the achieved rate then falls short instead).
local ffi = require("ffi")
ffi.cdef [[
  struct bench_timespec { long tv_sec; long tv_nsec; };
  int clock_gettime(int clock, struct bench_timespec *ts);
]]
local ts = ffi.new("struct bench_timespec")
local CLOCK_MONOTONIC = 1
local interval = __INTERVAL_MS__
local next_at = nil

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

function delay()
  local t = now_ms()
  next_at = (next_at or t) + interval
  local wait = next_at - interval - t
  if wait < 0 then return 0 end
  return math.floor(wait)
end
