// A thin layer over autocannon: a fixed number of requests (so every answered request can be checked against what
// reached Redis), per-request bodies, and the response bodies handed to the caller.
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST' | 'PUT';
  /** Request path and body of the i-th request (0-based, in the order autocannon asks for them). */
  request: (i: number) => { path: string; body?: string };
  /** Requests to send; or `seconds` to run, for a background load whose rate may not be reached. */
  amount?: number;
  seconds?: number;
  connections: number;
  /** Requests per second over all connections; unlimited when absent. */
  overallRate?: number;
  headers?: Record<string, string>;
  onResponse?: (status: number, body: string) => void;
}

export interface LoadResult {
  /** Requests answered, by status code. */
  statuses: Record<number, number>;
  answered: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Connection errors and timeouts (requests never answered). */
  errors: number;
  timeouts: number;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  let next = 0;
  const statuses: Record<number, number> = {};
  // autocannon notices the end of an `amount` run only at its next 1 s sample tick, so its own duration is rounded
  // up to whole seconds: time from the first request built to the last response instead.
  let firstAt = 0;
  let lastAt = 0;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    // autocannon rejects an explicit `duration: undefined`
    ...(spec.amount !== undefined ? { amount: spec.amount } : { duration: spec.seconds }),
    overallRate: spec.overallRate,
    timeout: 10,
    requests: [
      {
        method: spec.method,
        headers: { 'content-type': 'application/json', ...spec.headers },
        setupRequest: (req) => {
          if (next === 0) firstAt = performance.now();
          return { ...req, ...spec.request(next++) };
        },
        onResponse: (status, body) => {
          lastAt = performance.now();
          statuses[status] = (statuses[status] ?? 0) + 1;
          spec.onResponse?.(status, body);
        },
      },
    ],
  });
  const answered = Object.values(statuses).reduce((a, b) => a + b, 0);
  const seconds = answered > 0 ? (lastAt - firstAt) / 1000 : result.duration;
  return {
    statuses,
    answered,
    seconds,
    perSecond: answered / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** `{202: 1000}` as "202×1000", for the check lines. */
export function statusSummary(statuses: Record<number, number>): string {
  return Object.entries(statuses)
    .map(([s, n]) => `${s}×${n}`)
    .join(', ');
}
