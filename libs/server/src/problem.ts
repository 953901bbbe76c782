/**
 * RFC 9457 problem details: the one error body of every app. Each kind of error has a stable `type` URI (listed in
 * the README's "Errors"); clients branch on it and on `errors[].field`, and show `detail` to people.
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The types are identifiers, not pages: the host is a namespace no client needs to fetch. */
export const PROBLEM_TYPE_BASE = 'https://clicks.example.com/problems/';

/** Every kind of error the apps answer, with its one status and title. */
export const PROBLEM_KINDS = {
  /** The request could not be read at all: malformed JSON, a badly encoded URL. */
  'bad-request': { status: 400, title: 'Bad request' },
  /** A path or query parameter is invalid (errors name it). */
  'invalid-parameter': { status: 400, title: 'Invalid parameter' },
  /** A field of the JSON body is invalid, or the body is not what the endpoint takes (errors name it). */
  'invalid-body': { status: 400, title: 'Invalid request body' },
  /** A click link's token is forged, tampered with, malformed or expired: the click is not counted. */
  'invalid-click-token': { status: 400, title: 'Invalid click token' },
  /** No credential, or one that is malformed, unknown or revoked. */
  unauthorized: { status: 401, title: 'Unauthorized' },
  /** A valid credential that may not do this (wrong key kind, wrong admin token, a filter only admins may use). */
  forbidden: { status: 403, title: 'Forbidden' },
  /** No such route, or no such (or another advertiser's) ad, advertiser, campaign, key or blocklist entry. */
  'not-found': { status: 404, title: 'Not found' },
  /** A body or batch above the size limits. */
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  /** A per-second budget is spent; `Retry-After` says when to come back, `limit` which budget. */
  'rate-limited': { status: 429, title: 'Too many requests' },
  /** A bug: the cause is in the logs, never in the answer. */
  internal: { status: 500, title: 'Internal server error' },
  /** Redis or QuestDB could not answer, or the app is not ready: retry (after `Retry-After` when sent). */
  unavailable: { status: 503, title: 'Service unavailable' },
  /** QuestDB gave up on the read at its statement timeout: ask for a shorter window. */
  timeout: { status: 504, title: 'Query timeout' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemKind = keyof typeof PROBLEM_KINDS;

/** One field's complaint: the field (body field, path or query parameter, header) and what is wrong with it. */
export interface FieldError {
  field: string;
  message: string;
}

/** The body of every error answer (RFC 9457), with this project's `errors` and any extension members. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export interface ProblemOptions {
  errors?: FieldError[];
  /** Extension members of the body (e.g. `limit` of a 429). */
  extensions?: Record<string, unknown>;
  /** Headers sent with the answer (e.g. `Retry-After`). */
  headers?: Record<string, string>;
}

/** An error answered as a problem: thrown by controllers, guards and services, rendered by ProblemFilter. */
export class ProblemError extends Error {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly errors?: FieldError[];
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    options: ProblemOptions = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
    this.type = PROBLEM_TYPE_BASE + kind;
    this.title = PROBLEM_KINDS[kind].title;
    this.status = PROBLEM_KINDS[kind].status;
    this.errors = options.errors;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }

  /** The answer's body. */
  toJSON(): ProblemDetails {
    const { type, title, status, detail, errors } = this;
    return { type, title, status, detail, ...(errors ? { errors } : {}), ...this.extensions };
  }
}

/** A problem of `kind` with no field to name. */
export function problem(kind: ProblemKind, detail: string, options?: ProblemOptions): ProblemError {
  return new ProblemError(kind, detail, options);
}

/**
 * A problem naming one field: `detail` is `<field>: <message>` and `errors` holds the field. A message already
 * starting with `<field>: ` (as the query layer's do) is not prefixed twice.
 */
export function fieldProblem(
  kind: ProblemKind,
  field: string,
  message: string,
  options?: Omit<ProblemOptions, 'errors'>,
): ProblemError {
  const bare = message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
  return new ProblemError(kind, `${field}: ${bare}`, { ...options, errors: [{ field, message: bare }] });
}

/** The kind a bare HTTP status stands for (errors raised by Nest or Fastify themselves), if there is one. */
export function kindOfStatus(status: number): ProblemKind | undefined {
  if (status === 400) return 'bad-request';
  const kinds = Object.keys(PROBLEM_KINDS) as ProblemKind[];
  return kinds.find((k) => PROBLEM_KINDS[k].status === status && k !== 'invalid-parameter');
}
