/** ILP over HTTP: explicit flushes only (auto-flush is checked inside at() alone), bounded retries. */
export function ilpConfig(httpUrl: string): string {
  const u = new URL(httpUrl);
  const scheme = u.protocol === 'https:' ? 'https' : 'http';
  return `${scheme}::addr=${u.host};protocol_version=2;auto_flush=off;retry_timeout=2000;request_timeout=10000`;
}
