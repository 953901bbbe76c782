import { GraphQLError, ValidationRule } from 'graphql';
import { createComplexityRule, fieldExtensionsEstimator, simpleEstimator } from 'graphql-query-complexity';

/** Deepest selection accepted (the schema itself is three levels deep). */
export const MAX_QUERY_DEPTH = 5;
/** Each top-level query costs about 15; this admits a handful per request, not hundreds of aliases. */
export const MAX_QUERY_COMPLEXITY = 100;

export function complexityRules({ variables }: { variables?: Record<string, unknown> }): ValidationRule[] {
  return [
    createComplexityRule({
      maximumComplexity: MAX_QUERY_COMPLEXITY,
      variables: variables ?? {},
      estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
      createError: (max, actual) =>
        new GraphQLError(`query complexity ${actual} exceeds the limit of ${max}`, {
          extensions: { code: 'QUERY_TOO_COMPLEX' },
        }),
    }),
  ];
}
