import { Pool } from 'pg';
import { ReconciliationService } from '@clicks/reconciliation';
import { ProblemError } from '@clicks/server';
import { QuestDbUnavailableError, ReconciliationRepository } from '@clicks/store';
import { ReconciliationController } from './reconciliation.controller';

describe('reconciliation while QuestDB cannot be reached', () => {
  it('the repository says QuestDB is unavailable rather than rethrowing the socket error', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8812'), { code: 'ECONNREFUSED' });
    const pool = { query: () => Promise.reject(refused) } as unknown as Pool;
    await expect(new ReconciliationRepository(pool).walProgress()).rejects.toBeInstanceOf(QuestDbUnavailableError);
  });

  it('the endpoint answers 503 with Retry-After, not 500', async () => {
    const service = {
      reconcile: () => Promise.reject(new QuestDbUnavailableError(new Error('connect ECONNREFUSED'))),
    } as unknown as ReconciliationService;
    const answer = new ReconciliationController(service).reconcile({ minutes: '5' });
    await expect(answer).rejects.toBeInstanceOf(ProblemError);
    await expect(answer).rejects.toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
  });

  it('still names a bad parameter (400)', async () => {
    const service = { reconcile: () => Promise.resolve({}) } as unknown as ReconciliationService;
    await expect(new ReconciliationController(service).reconcile({ minutes: '0' })).rejects.toMatchObject({
      status: 400,
    });
  });
});
