import { Sender } from '@questdb/nodejs-client';

/**
 * Writes rows of one table over ILP/HTTP, one flush per call (one HTTP request for one table: one transaction).
 * One writer per consumer, never two flushes at once. A failed flush loses the sender's buffer, so the buffer is
 * reset and the caller, which has acknowledged nothing yet, writes the rows again.
 */
export class IlpTableWriter<Row> {
  protected constructor(
    private readonly sender: Sender,
    private readonly append: (sender: Sender, row: Row) => Promise<void>,
  ) {}

  /** Resolves once QuestDB has accepted every row. */
  async write(rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      for (const r of rows) await this.append(this.sender, r);
      await this.sender.flush();
    } catch (e) {
      this.sender.reset();
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.sender.close();
  }
}
