import { EnqueueUnavailableError, InvalidClickTokenError, UnknownAdError } from '@clicks/intake';
import { fieldProblem, problem, ProblemError } from '@clicks/server';

/**
 * The intake's typed errors as problems: 503 with Retry-After when a click could not be stored, 400 naming the
 * token of a bad click link, 404 naming the ad of a link whose ad is no longer registered.
 */
export function intakeProblem(e: unknown): ProblemError | undefined {
  if (e instanceof EnqueueUnavailableError) {
    return problem('unavailable', e.message, { headers: { 'retry-after': '1' } });
  }
  if (e instanceof InvalidClickTokenError) {
    return fieldProblem('invalid-click-token', 'token', e.message);
  }
  if (e instanceof UnknownAdError) return fieldProblem('not-found', 'adId', e.message);
  return undefined;
}
