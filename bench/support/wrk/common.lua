-- Shared by every bench wrk script (bench/support/wrk.ts puts it first): per-thread ids, and the results as one
-- JSON line that wrk.ts parses. Latencies are in microseconds, measured by wrk from the write to the response.
local threads = 0

function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"micros":%d,"statusErrors":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,' ..
    '"p50":%d,"p99":%d,"max":%d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
