import { FieldError } from '@clicks/events';

/** Limits of one `POST /v1/clicks/batch`: beyond either the answer is 413. */
export const BATCH_LIMITS = { maxEvents: 10_000, maxBytes: 5 * 1024 * 1024 } as const;

/** One event of a batch: its input object, or why its NDJSON line could not be read. */
export type BatchItem = { index: number; input: unknown } | { index: number; error: FieldError };

export type BatchParse = { ok: true; items: BatchItem[] } | { ok: false; status: 400 | 413; message: string };

/**
 * Splits a batch body into its events. `body` is the parsed JSON (an array) or the raw NDJSON text. In NDJSON each
 * line is one event and an unreadable line only rejects that event; blank lines are skipped and indexes count
 * events, not lines.
 */
export function parseBatchBody(body: unknown, ndjson: boolean): BatchParse {
  if (ndjson) {
    if (typeof body !== 'string') return { ok: false, status: 400, message: 'expected an NDJSON body' };
    if (Buffer.byteLength(body) > BATCH_LIMITS.maxBytes) return tooLarge();
    const items: BatchItem[] = [];
    for (const line of body.split('\n')) {
      if (line.trim() === '') continue;
      if (items.length === BATCH_LIMITS.maxEvents) return tooLarge();
      const index = items.length;
      try {
        items.push({ index, input: JSON.parse(line) });
      } catch {
        items.push({ index, error: { field: 'body', message: 'line is not valid JSON' } });
      }
    }
    return { ok: true, items };
  }
  if (!Array.isArray(body)) {
    return { ok: false, status: 400, message: 'expected a JSON array of clicks or application/x-ndjson' };
  }
  if (body.length > BATCH_LIMITS.maxEvents) return tooLarge();
  return { ok: true, items: body.map((input: unknown, index) => ({ index, input })) };
}

function tooLarge(): BatchParse {
  const { maxEvents, maxBytes } = BATCH_LIMITS;
  return { ok: false, status: 413, message: `a batch holds at most ${maxEvents} events and ${maxBytes} bytes` };
}
