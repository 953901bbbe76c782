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

export function decodeClick(entryId: string, payload: string | undefined): ClickEvent {
  if (payload === undefined) throw new MalformedEntryError(entryId, 'no payload field');
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    throw new MalformedEntryError(entryId, 'payload is not JSON');
  }
  const e = value as Partial<ClickEvent> | null;
  if (!e || typeof e.eventId !== 'string' || typeof e.adId !== 'string' || typeof e.ts !== 'number') {
    throw new MalformedEntryError(entryId, 'payload lacks eventId, adId or ts');
  }
  return e as ClickEvent;
}
