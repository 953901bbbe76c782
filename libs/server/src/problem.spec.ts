import { ArgumentsHost, BadRequestException, HttpException, Logger, NotFoundException } from '@nestjs/common';
import { RateLimitedError } from '@clicks/limits';
import { fieldProblem, problem, PROBLEM_CONTENT_TYPE, PROBLEM_KINDS, PROBLEM_TYPE_BASE, ProblemError } from './problem';
import { problemAnswerOf, ProblemFilter } from './problem.filter';
import { RedisUnavailableFilter } from './redis-unavailable.filter';

/** A Fastify reply that records what was sent. */
function fakeReply() {
  const sent = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown };
  const reply = {
    sent: false,
    code(s: number) {
      sent.status = s;
      return reply;
    },
    header(name: string, value: string) {
      sent.headers[name.toLowerCase()] = value;
      return reply;
    },
    send(body: unknown) {
      sent.body = body;
      reply.sent = true;
      return reply;
    },
  };
  return { reply, sent };
}

function httpHost(reply: unknown): ArgumentsHost {
  return {
    getType: () => 'http',
    switchToHttp: () => ({ getResponse: () => reply }),
  } as unknown as ArgumentsHost;
}

function answer(filter: ProblemFilter, e: unknown) {
  const { reply, sent } = fakeReply();
  filter.catch(e, httpHost(reply));
  return sent;
}

// The filter logs unexpected errors; their text is not what these tests read.
beforeAll(() => Logger.overrideLogger(false));

const type = (kind: string) => PROBLEM_TYPE_BASE + kind;

class OtherDomainError extends Error {}

const fastifyError = (statusCode: number, message: string) =>
  Object.assign(new Error(message), { name: 'FastifyError', statusCode });

describe('problem builder', () => {
  it('names the field in detail and errors, without prefixing a message that already names it', () => {
    expect(fieldProblem('invalid-parameter', 'minutes', 'minutes: 1 to 1440').toJSON()).toEqual({
      type: type('invalid-parameter'),
      title: 'Invalid parameter',
      status: 400,
      detail: 'minutes: 1 to 1440',
      errors: [{ field: 'minutes', message: '1 to 1440' }],
    });
    expect(fieldProblem('not-found', 'adId', 'ad x is not registered').detail).toBe('adId: ad x is not registered');
  });

  it('gives every kind its one status and a type under the base', () => {
    for (const [kind, { status, title }] of Object.entries(PROBLEM_KINDS)) {
      const p = problem(kind as keyof typeof PROBLEM_KINDS, 'd');
      expect([p.status, p.title, p.type]).toEqual([status, title, type(kind)]);
      expect(p.toJSON()).not.toHaveProperty('errors');
    }
  });

  it('adds extension members to the body', () => {
    expect(problem('rate-limited', 'slow down', { extensions: { limit: 'client_ip' } }).toJSON()).toMatchObject({
      limit: 'client_ip',
      status: 429,
    });
  });
});

describe('ProblemFilter', () => {
  const filter = new ProblemFilter({
    map: [(e) => (e instanceof OtherDomainError ? fieldProblem('timeout', 'minutes', 'too long') : undefined)],
  });

  it.each<[string, unknown, number, string, Record<string, unknown>, Record<string, string>]>([
    [
      'a ProblemError as thrown',
      fieldProblem('invalid-body', 'adId', '1-64 characters', { headers: { 'retry-after': '3' } }),
      400,
      'invalid-body',
      { detail: 'adId: 1-64 characters', errors: [{ field: 'adId', message: '1-64 characters' }] },
      { 'retry-after': '3' },
    ],
    ['an app error through its mapper', new OtherDomainError(), 504, 'timeout', { detail: 'minutes: too long' }, {}],
    [
      'a RateLimitedError with Retry-After and its budget',
      new RateLimitedError('partner_events', 2, 'at most 5 clicks per second'),
      429,
      'rate-limited',
      { detail: 'at most 5 clicks per second', limit: 'partner_events' },
      { 'retry-after': '2' },
    ],
    [
      "Nest's 404 of an unknown route",
      new NotFoundException('Cannot GET /nope'),
      404,
      'not-found',
      { detail: 'Cannot GET /nope' },
      {},
    ],
    [
      "Nest's mapping of a malformed JSON body",
      new BadRequestException('Unexpected token } in JSON'),
      400,
      'bad-request',
      { detail: 'Unexpected token } in JSON' },
      {},
    ],
    [
      "Fastify's body limit, mapped by Nest",
      new HttpException('Request body is too large', 413),
      413,
      'payload-too-large',
      {},
      {},
    ],
    [
      "Fastify's unsupported content type",
      fastifyError(415, 'Unsupported Media Type'),
      415,
      'unsupported-media-type',
      {},
      {},
    ],
    ["Fastify's JSON parse error", fastifyError(400, 'Body is not valid JSON'), 400, 'bad-request', {}, {}],
    [
      "terminus's unready report, kept as checks",
      new HttpException({ status: 'error', details: { redis: { status: 'down', message: 'timeout' } } }, 503),
      503,
      'unavailable',
      { detail: 'not ready: redis (timeout)', checks: { redis: { status: 'down', message: 'timeout' } } },
      {},
    ],
    ['an unexpected error, without its message', new Error('secret internals'), 500, 'internal', {}, {}],
  ])('answers %s', (_name, e, status, kind, body, headers) => {
    const sent = answer(filter, e);
    expect(sent.status).toBe(status);
    expect(sent.headers['content-type']).toBe(PROBLEM_CONTENT_TYPE);
    expect(sent.body).toMatchObject({ type: type(kind), title: PROBLEM_KINDS[kind as 'timeout'].title, status });
    expect(sent.body).toMatchObject(body);
    expect(sent.headers).toMatchObject(headers);
    expect(JSON.stringify(sent.body)).not.toContain('secret internals');
  });

  it('answers a status with no kind of its own as about:blank titled by the status', () => {
    const sent = answer(filter, new HttpException('no', 405));
    expect(sent.body).toEqual({ type: 'about:blank', title: 'Method Not Allowed', status: 405, detail: 'no' });
  });

  it('leaves other contexts (GraphQL) to Nest and sends nothing once a reply is out', () => {
    const host = { getType: () => 'graphql' } as unknown as ArgumentsHost;
    expect(filter.catch(new Error('x'), host)).toBeUndefined();
    const { reply, sent } = fakeReply();
    reply.sent = true;
    filter.catch(problem('internal', 'x'), httpHost(reply));
    expect(sent.status).toBe(0);
  });

  it('is undefined for errors nothing knows (so the graphql hook rethrows them)', () => {
    expect(problemAnswerOf(new Error('x'))).toBeUndefined();
    expect(problemAnswerOf(new ProblemError('forbidden', 'no'))?.body.status).toBe(403);
  });
});

describe('RedisUnavailableFilter', () => {
  it('answers an unknown failure 503 with Retry-After, and known problems as they are', () => {
    const filter = new RedisUnavailableFilter();
    const down = answer(filter, new Error('Connection is closed.'));
    expect([down.status, down.headers['retry-after']]).toEqual([503, '1']);
    expect(down.body).toMatchObject({ type: type('unavailable'), detail: 'Redis did not answer; retry' });
    expect(answer(filter, fieldProblem('invalid-parameter', 'cidr', 'bad')).status).toBe(400);
  });
});
