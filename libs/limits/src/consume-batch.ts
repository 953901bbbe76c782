/**
 * Which of several requests, counted one after another in this order, fit the budget: the store adds every request's
 * cost whether admitted or not (as rate-limiter-flexible does), so request i fits while the count before the batch
 * plus the costs up to and including i stays within `points`. Exactly what separate calls in this order would give.
 */
export function admittedInOrder(costs: readonly number[], consumedAfter: number, points: number): boolean[] {
  const total = costs.reduce((a, b) => a + b, 0);
  let consumed = consumedAfter - total;
  return costs.map((cost) => {
    consumed += cost;
    return consumed <= points;
  });
}

interface Waiter {
  cost: number;
  resolve: (admitted: boolean, msBeforeNext: number) => void;
  reject: (e: unknown) => void;
}

/** What one store call answers: the count after adding `cost`, and how long until the window resets. */
export type ConsumeCall = (key: string, cost: number) => Promise<{ consumedPoints: number; msBeforeNext: number }>;

/**
 * Joins the requests of one key that arrive within one turn of the event loop into one store call (a busy partner
 * sends many clicks per turn): one Redis round trip instead of one per request, with the same answers.
 */
export class ConsumeBatcher {
  private readonly pending = new Map<string, Waiter[]>();

  constructor(
    private readonly points: number,
    private readonly call: ConsumeCall,
  ) {}

  consume(key: string, cost: number): Promise<{ admitted: boolean; msBeforeNext: number }> {
    return new Promise((resolve, reject) => {
      let waiters = this.pending.get(key);
      if (!waiters) {
        waiters = [];
        this.pending.set(key, waiters);
        setImmediate(() => this.flush(key));
      }
      waiters.push({ cost, resolve: (admitted, msBeforeNext) => resolve({ admitted, msBeforeNext }), reject });
    });
  }

  private flush(key: string): void {
    const waiters = this.pending.get(key) ?? [];
    this.pending.delete(key);
    const costs = waiters.map((w) => w.cost);
    this.call(
      key,
      costs.reduce((a, b) => a + b, 0),
    ).then(
      ({ consumedPoints, msBeforeNext }) => {
        const admitted = admittedInOrder(costs, consumedPoints, this.points);
        waiters.forEach((w, i) => w.resolve(admitted[i], msBeforeNext));
      },
      (e: unknown) => waiters.forEach((w) => w.reject(e)),
    );
  }
}
