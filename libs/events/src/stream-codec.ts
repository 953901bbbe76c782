import { ClickEvent } from './click-event';

/** Thrown for a stream entry that is not a click; the consumer counts it and moves on. */
export class MalformedEntryError extends Error {
  constructor(
    readonly entryId: string,
    reason: string,
  ) {
    super(`malformed stream entry ${entryId}: ${reason}`);
    this.name = 'MalformedEntryError';
  }
}

export function encodeClick(e: ClickEvent): string {
  return JSON.stringify(e);
}

/** Parses a stream entry's JSON field; `field` names the field, `label` what it should hold, in the errors. */
export function parseEntryJson(entryId: string, text: string | undefined, field: string, label: string): unknown {
  if (text === undefined) throw new MalformedEntryError(entryId, `no ${field} field`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MalformedEntryError(entryId, `${label} is not JSON`);
  }
}

export function decodeClick(entryId: string, payload: string | undefined): ClickEvent {
  const e = parseEntryJson(entryId, payload, 'payload', 'payload') as Partial<Record<keyof ClickEvent, unknown>> | null;
  if (!e || typeof e.eventId !== 'string' || typeof e.adId !== 'string' || e.adId === '') {
    throw new MalformedEntryError(entryId, 'payload lacks eventId or adId');
  }
  // Counted into minute windows and written as a row timestamp: anything but whole milliseconds would fail a flush.
  if (typeof e.ts !== 'number' || !Number.isSafeInteger(e.ts) || e.ts < 0) {
    throw new MalformedEntryError(entryId, `ts ${JSON.stringify(e.ts)} is not a non-negative integer (ms)`);
  }
  if (e.partnerId !== undefined && typeof e.partnerId !== 'string') {
    throw new MalformedEntryError(entryId, 'partnerId is not a string');
  }
  if (e.impressionAt !== undefined && !Number.isSafeInteger(e.impressionAt)) {
    throw new MalformedEntryError(entryId, 'impressionAt is not an integer (ms)');
  }
  for (const field of ['ip', 'userId', 'userAgent'] as const) {
    if (e[field] !== undefined && typeof e[field] !== 'string') {
      throw new MalformedEntryError(entryId, `${field} is not a string`);
    }
  }
  if (e.country !== undefined && typeof e.country !== 'string') {
    throw new MalformedEntryError(entryId, 'country is not a string');
  }
  return e as unknown as ClickEvent;
}
