import { ArgumentsHost, Catch } from '@nestjs/common';
import { GqlContextType } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { NotVisibleError, QueryForbiddenError, QueryParamError } from '@clicks/query';
import { fieldProblem, ProblemError, ProblemFilter, ProblemKind } from '@clicks/server';
import { QueryTimeoutError, QuestDbUnavailableError } from '@clicks/store';

/**
 * The query layer's typed errors as problems: 400 naming a bad parameter, 403 naming a filter the key may not use,
 * 404 naming the unknown (or another advertiser's) ad, advertiser or campaign, 503 when QuestDB cannot be reached
 * (with Retry-After), 504 when QuestDB gave up at the statement timeout.
 */
export function queryProblem(e: unknown): ProblemError | undefined {
  if (e instanceof QueryParamError) return fieldProblem('invalid-parameter', e.param, e.message);
  if (e instanceof QueryForbiddenError) return fieldProblem('forbidden', e.param, e.message);
  if (e instanceof NotVisibleError) return fieldProblem('not-found', `${e.kind}Id`, e.message);
  if (e instanceof QuestDbUnavailableError) {
    return new ProblemError('unavailable', e.message, { headers: { 'retry-after': '1' } });
  }
  if (e instanceof QueryTimeoutError) return new ProblemError('timeout', e.message);
  return undefined;
}

/** The GraphQL error code of each problem a resolver can meet (GraphQL keeps its own envelope). */
const GRAPHQL_CODES: Partial<Record<ProblemKind, string>> = {
  'invalid-parameter': 'BAD_USER_INPUT',
  forbidden: 'FORBIDDEN',
  'not-found': 'NOT_FOUND',
  unavailable: 'UNAVAILABLE',
  timeout: 'TIMEOUT',
};

/**
 * The gateway's errors: problem+json over REST; in a resolver, the same query errors as GraphQL errors whose
 * extensions carry the code, the problem type and the field the REST answer names.
 */
@Catch()
export class GatewayErrorFilter extends ProblemFilter {
  constructor() {
    super({ map: [queryProblem] });
  }

  protected override otherContext(e: unknown, host: ArgumentsHost): unknown {
    const p = host.getType<GqlContextType>() === 'graphql' ? queryProblem(e) : undefined;
    const code = p && GRAPHQL_CODES[p.kind];
    if (!p || !code) return undefined;
    const field = p.errors?.[0]?.field;
    return new GraphQLError(p.detail, { extensions: { code, type: p.type, ...(field ? { field } : {}) } });
  }
}
