import { createHash } from 'node:crypto';

/**
 * A stable id for clicks sent without one: the same click re-sent (a retried request, a re-read log tail)
 * derives the same id and is de-duplicated.
 */
export function deriveEventId(adId: string, ts: number, userId?: string, ip?: string): string {
  const h = createHash('sha256');
  h.update(`${adId}\u0000${ts}\u0000${userId ?? ''}\u0000${ip ?? ''}`);
  return `d-${h.digest('hex').slice(0, 32)}`;
}
