import { createTransport, SenderOptions, SenderTransport } from '@questdb/nodejs-client';
import { ilpConfig } from './ilp-config';
import { RequestCoalescer } from './request-coalescer';

/**
 * Commit slots start this fraction of a slot after each wall-clock multiple. Actors flush when they see a multiple of
 * FLUSH_INTERVAL_MS pass, some milliseconds after it (they finish applying the read in hand first): with slots exactly
 * on the multiples their rows waited a whole slot (250 ms), and the actors with them, reading nothing meanwhile.
 */
const SLOT_PHASE = 0.2;

/** Formats one row as a complete ILP line (ending in a newline). */
export type IlpLineFormat<Row> = (row: Row) => string;

/**
 * Characters of ILP text per request at most (several writers' parts are joined up to this): a full read batch of
 * every shard fits, and QuestDB answers well within the client's retry_timeout (2 s), after which it gives up.
 */
const MAX_REQUEST_CHARS = 4 * 1024 * 1024;

/**
 * Writes rows of one table over ILP/HTTP (one request: one transaction). One writer per table and process, shared
 * by every actor: writes that arrive while a request is in flight are sent together in the next one (see
 * RequestCoalescer), so QuestDB gets few large transactions instead of one small one per shard and batch. The lines
 * are built as one string and handed to the client's HTTP transport (its retries and timeouts), not through the
 * client's character-by-character buffer. A failed request stores nothing of it; every caller in it is rejected
 * and, having acknowledged nothing yet, writes its rows again.
 */
export class IlpTableWriter<Row> {
  private readonly requests: RequestCoalescer<string>;
  /** Told the outcome of every write of rows (metrics: failing writes page someone). */
  onWrite: ((outcome: 'ok' | 'error') => void) | undefined;

  protected constructor(
    private readonly transport: SenderTransport,
    private readonly format: IlpLineFormat<Row>,
    /**
     * Requests start only once per this many ms, a fifth of it after each wall-clock multiple (0 = whenever idle);
     * see RequestCoalescer.
     */
    commitIntervalMs = 0,
  ) {
    this.requests = new RequestCoalescer<string>(
      (parts) =>
        transport.send(Buffer.from(parts.length === 1 ? parts[0] : parts.join(''), 'utf8')).then(() => undefined),
      MAX_REQUEST_CHARS,
      (part) => part.length,
      Date.now,
      commitIntervalMs,
      undefined,
      Math.floor(commitIntervalMs * SLOT_PHASE),
    );
  }

  protected static async transportFor(
    httpUrl: string,
    requestTimeoutMs?: number,
    retryMs?: number,
  ): Promise<SenderTransport> {
    const config = ilpConfig(httpUrl, requestTimeoutMs, retryMs);
    const options = await SenderOptions.fromConfig(config, { log: () => undefined });
    return createTransport(options);
  }

  /**
   * Resolves once QuestDB has accepted every row. `notAfter` (epoch ms): if the rows are still queued behind another
   * request then, they are not sent at all (WriteDeadlineError), e.g. because the caller's lease may have lapsed.
   */
  async write(rows: readonly Row[], notAfter?: number): Promise<void> {
    if (rows.length === 0) return;
    let body = '';
    for (const r of rows) body += this.format(r);
    try {
      await this.requests.submit(body, notAfter);
    } catch (e) {
      this.onWrite?.('error');
      throw e;
    }
    this.onWrite?.('ok');
  }

  async close(): Promise<void> {
    await this.transport.close();
  }
}
