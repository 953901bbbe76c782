export { createHttpApp, HttpAppOptions, listen, MAX_BODY_BYTES, runMain } from './http-app';
export { AdminTokenGuard } from './admin-token.guard';
export { connectControlBus } from './control-bus';
export { DrainState } from './drain-state';
export { jsonSchemaOf, OPENAPI_PATH, openApiDocument, OpenApiOptions, serveOpenApi } from './openapi';
export {
  FieldError,
  fieldProblem,
  problem,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_KINDS,
  PROBLEM_TYPE_BASE,
  ProblemDetails,
  ProblemError,
  ProblemKind,
} from './problem';
export { ApiProblems, FieldErrorDoc, ProblemAnswerDoc, ProblemDoc } from './problem.docs';
export {
  ProblemAnswer,
  problemAnswerOf,
  ProblemFilter,
  ProblemFilterOptions,
  ProblemMapper,
  sendProblem,
} from './problem.filter';
export { clusterScrape, isClusterWorker, runPrimary } from './process-cluster';
export { RedisUnavailableFilter } from './redis-unavailable.filter';
