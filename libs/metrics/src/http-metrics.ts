import { Histogram, Registry } from 'prom-client';

/** The part of a Fastify request and reply the recorder reads (no dependency on Fastify's types here). */
export interface HttpExchange {
  method: string;
  /** The matched route's template (`/v1/ads/:adId/clicks`), never the raw URL: ids stay out of the labels. */
  route: string | undefined;
  status: number;
  seconds: number;
}

/**
 * Request durations of every HTTP route by method, route template and status, the standard RED histogram. Label
 * children are kept per (method, route, status), so a request costs one map lookup and one observe.
 */
export class HttpMetrics {
  private readonly histogram: Histogram<'method' | 'route' | 'status'>;
  private readonly children = new Map<string, { observe(v: number): void }>();

  constructor(registry: Registry) {
    this.histogram = new Histogram({
      name: 'clicks_http_request_duration_seconds',
      help: 'HTTP requests by method, route template (unmatched: no route) and status code',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
  }

  observe(x: HttpExchange): void {
    const route = x.route ?? 'unmatched';
    const key = `${x.method} ${route} ${x.status}`;
    let child = this.children.get(key);
    if (!child) {
      child = this.histogram.labels({ method: x.method, route, status: String(x.status) });
      this.children.set(key, child);
    }
    child.observe(x.seconds);
  }
}
