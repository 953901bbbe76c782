/**
 * ILP over HTTP: explicit flushes only (auto-flush is checked inside at() alone), bounded retries.
 * - `stdlib_http=on`: Node's own HTTP client. The default (undici) transport never settles a send while QuestDB
 *   refuses connections (it retries past `retry_timeout`), which would stall every actor of a process behind one
 *   shared writer and make a stale owner's write land at any later time.
 * - `request_min_throughput`: the client adds size / throughput to the request timeout; at its default (100 KiB/s)
 *   a 4 MB request could run 40 s longer, so a write's lifetime would no longer be bounded by the lease.
 */
export function ilpConfig(
  httpUrl: string,
  requestTimeoutMs = 10_000,
  retryMs = Math.min(2000, requestTimeoutMs),
): string {
  const u = new URL(httpUrl);
  const scheme = u.protocol === 'https:' ? 'https' : 'http';
  return (
    `${scheme}::addr=${u.host};protocol_version=2;auto_flush=off;stdlib_http=on;` +
    `retry_timeout=${retryMs};request_timeout=${requestTimeoutMs};request_min_throughput=${ILP_MIN_THROUGHPUT}`
  );
}

/** Bytes per second a request is allowed to take beyond its timeout: 4 MB adds 80 ms. */
export const ILP_MIN_THROUGHPUT = 50 * 1024 * 1024;
