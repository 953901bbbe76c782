export { ClickMetrics } from './metrics';
export { CounterMirror } from './counter-mirror';
export { MetricsController, MetricsModule } from './metrics.module';
export { HttpExchange, HttpMetrics } from './http-metrics';
