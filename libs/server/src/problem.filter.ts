import { STATUS_CODES } from 'node:http';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { RateLimitedError } from '@clicks/limits';
import { kindOfStatus, PROBLEM_CONTENT_TYPE, problem, ProblemDetails, ProblemError } from './problem';

/** Turns an app's own error types into problems; undefined for errors it does not know. */
export type ProblemMapper = (e: unknown) => ProblemError | undefined;

/** What an error is answered with: a problem body and its headers. */
export interface ProblemAnswer {
  body: ProblemDetails;
  headers: Record<string, string>;
}

const answerOf = (p: ProblemError): ProblemAnswer => ({ body: p.toJSON(), headers: p.headers });

/** Nest's or Fastify's own HTTP errors (404 route, 413 body, invalid JSON, guards' exceptions) as problems. */
function fromStatus(status: number, detail: string, extensions: Record<string, unknown> = {}): ProblemAnswer {
  const kind = kindOfStatus(status);
  if (kind) return answerOf(problem(kind, detail, { extensions }));
  // RFC 9457 §4.2.1: a status with no more specific meaning here is `about:blank`, titled by the status.
  const title = STATUS_CODES[status] ?? 'Error';
  return { body: { type: 'about:blank', title, status, detail, ...extensions }, headers: {} };
}

function fromHttpException(e: HttpException): ProblemAnswer {
  const status = e.getStatus();
  const response = e.getResponse();
  if (typeof response === 'string') return fromStatus(status, response);
  const body = response as { message?: unknown; status?: unknown; details?: unknown };
  // @nestjs/terminus answers an unready app with its health report: keep the report, as `checks`.
  if (body.status === 'error' && typeof body.details === 'object') {
    const down = Object.entries(body.details as Record<string, { status?: string; message?: string }>)
      .filter(([, check]) => check.status !== 'up')
      .map(([name, check]) => (check.message ? `${name} (${check.message})` : name));
    return fromStatus(status, `not ready: ${down.join(', ')}`, { checks: body.details });
  }
  const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
  return fromStatus(status, typeof message === 'string' ? message : e.message);
}

/**
 * The problem answering `e`, or undefined for an unexpected error (a bug, or a dependency failing in a way no
 * mapper knows). `mappers` are the app's own error types, tried first.
 */
export function problemAnswerOf(e: unknown, mappers: readonly ProblemMapper[] = []): ProblemAnswer | undefined {
  if (e instanceof ProblemError) return answerOf(e);
  for (const map of mappers) {
    const mapped = map(e);
    if (mapped) return answerOf(mapped);
  }
  if (e instanceof RateLimitedError) {
    return answerOf(
      problem('rate-limited', e.message, {
        extensions: { limit: e.scope },
        headers: { 'retry-after': String(e.retryAfterSeconds) },
      }),
    );
  }
  if (e instanceof HttpException) return fromHttpException(e);
  // Fastify's own errors (FST_ERR_CTP_INVALID_MEDIA_TYPE, a JSON body that does not parse) carry their status.
  const status = (e as { statusCode?: unknown } | null)?.statusCode;
  if (e instanceof Error && typeof status === 'number' && status >= 400 && status < 500) {
    return fromStatus(status, e.message);
  }
  return undefined;
}

/** Sends a problem answer (nothing if the reply has gone out already, e.g. an error while streaming). */
export function sendProblem(reply: FastifyReply, answer: ProblemAnswer): void {
  if (reply.sent) return;
  for (const [name, value] of Object.entries(answer.headers)) void reply.header(name, value);
  void reply.code(answer.body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(answer.body);
}

export interface ProblemFilterOptions {
  /** The app's own error types (tried before the generic ones). */
  map?: ProblemMapper[];
}

/**
 * Every HTTP error of an app as `application/problem+json`: ProblemError as thrown, the app's mapped error types,
 * RateLimitedError (429 with Retry-After), Nest's HttpExceptions (guards, 404 of an unknown route) and Fastify's
 * errors (invalid JSON, 413, 415) by status; anything else is logged and answered 500 without its message.
 * Registered by createHttpApp for the whole app. Other contexts (GraphQL) are left to Nest: see `otherContext`.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  protected readonly log = new Logger(this.constructor.name);
  private readonly mappers: ProblemMapper[];

  constructor(options: ProblemFilterOptions = {}) {
    this.mappers = options.map ?? [];
  }

  catch(e: unknown, host: ArgumentsHost): unknown {
    if (host.getType() !== 'http') return this.otherContext(e, host);
    const answer = problemAnswerOf(e, this.mappers) ?? answerOf(this.unexpected(e));
    sendProblem(host.switchToHttp().getResponse<FastifyReply>(), answer);
    return undefined;
  }

  /** The answer to an error no mapper knows. */
  protected unexpected(e: unknown): ProblemError {
    this.log.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    return problem('internal', 'internal error; it is logged');
  }

  /** Outside HTTP, a falsy result lets Nest rethrow the error as it is (GraphQL then formats it itself). */
  protected otherContext(_e: unknown, _host: ArgumentsHost): unknown {
    return undefined;
  }
}
