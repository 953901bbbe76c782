import { PROBLEM_CONTENT_TYPE, PROBLEM_KINDS, PROBLEM_TYPE_BASE, ProblemKind } from '@clicks/server';
import { adminAuth } from './test-env';

/** An answer as the test helpers return it. */
interface Answer {
  status: number;
  body: any;
  headers?: Headers;
}

/** Fetches `url` (the admin token unless `init` says otherwise) for the problem checks: status, JSON body, headers. */
export async function fetchAnswer(url: string, init: RequestInit = {}): Promise<Required<Answer>> {
  const res = await fetch(url, { ...init, headers: { ...adminAuth, ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/**
 * Checks that `r` is the RFC 9457 problem of `kind` (status, type, title, a detail), served as
 * application/problem+json when the headers are at hand, and naming `field` in `errors` and in `detail` if given.
 */
export function expectProblem(r: Answer, kind: ProblemKind, field?: string): void {
  const { status, title } = PROBLEM_KINDS[kind];
  expect({ status: r.status, body: r.body }).toMatchObject({
    status,
    body: { type: PROBLEM_TYPE_BASE + kind, title, status, detail: expect.any(String) },
  });
  if (r.headers) expect(r.headers.get('content-type')).toMatch(PROBLEM_CONTENT_TYPE);
  if (field !== undefined) {
    expect(r.body.errors).toEqual([{ field, message: expect.any(String) }]);
    expect(r.body.detail).toMatch(new RegExp(`^${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
  }
}
