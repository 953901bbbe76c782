/** Tumbling one-minute event-time windows (UTC). A window is [windowStart, windowEnd). */
export const WINDOW_MS = 60_000;

export function windowStart(ts: number): number {
  return Math.floor(ts / WINDOW_MS) * WINDOW_MS;
}

export function windowEnd(start: number): number {
  return start + WINDOW_MS;
}

/** The stream time at which a window stops accepting events. */
export function closeTime(start: number, allowedLatenessMs: number): number {
  return windowEnd(start) + allowedLatenessMs;
}

/** Every window starting before this is closed once the stream has observed `observedStreamTime`. */
export function closedBefore(observedStreamTime: number, allowedLatenessMs: number): number {
  return windowStart(observedStreamTime - allowedLatenessMs);
}
