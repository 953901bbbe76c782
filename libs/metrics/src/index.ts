export { ClickMetrics } from './metrics';
export { MetricsController, MetricsModule } from './metrics.module';
