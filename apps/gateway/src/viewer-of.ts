import { FastifyRequest } from 'fastify';
import { Viewer } from '@clicks/query';

/** Whose numbers the request may see, from the principal the key guard (or the GraphQL hook) established. */
export function viewerOf(req: FastifyRequest): Viewer {
  const p = req.principal;
  if (p?.kind === 'admin') return { kind: 'admin' };
  if (p?.kind === 'advertiser') return { kind: 'advertiser', advertiserId: p.advertiserId };
  // Never reached behind the guard; refusing here keeps a wiring mistake from showing everything.
  throw new Error(`no advertiser principal on ${req.method} ${req.url}`);
}
