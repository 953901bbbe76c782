export { createHttpApp, HttpAppOptions, listen, MAX_BODY_BYTES, runMain } from './http-app';
export { AdminTokenGuard } from './admin-token.guard';
export { connectControlBus } from './control-bus';
export { DrainState } from './drain-state';
export { clusterScrape, isClusterWorker, runPrimary } from './process-cluster';
export { RedisUnavailableFilter } from './redis-unavailable.filter';
