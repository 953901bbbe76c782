/** ILP over HTTP: explicit flushes only (auto-flush is checked inside at() alone), bounded retries. */
export function ilpConfig(httpUrl: string, requestTimeoutMs = 10_000): string {
  const u = new URL(httpUrl);
  const scheme = u.protocol === 'https:' ? 'https' : 'http';
  const retryMs = Math.min(2000, requestTimeoutMs);
  return `${scheme}::addr=${u.host};protocol_version=2;auto_flush=off;retry_timeout=${retryMs};request_timeout=${requestTimeoutMs}`;
}
