export { ClickMetrics } from './metrics';
export { MetricsController, MetricsModule } from './metrics.module';
export { HttpExchange, HttpMetrics } from './http-metrics';
