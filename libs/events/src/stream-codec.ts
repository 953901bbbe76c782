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
  const e = parseEntryJson(entryId, payload, 'payload', 'payload') as Partial<ClickEvent> | null;
  if (!e || typeof e.eventId !== 'string' || typeof e.adId !== 'string' || typeof e.ts !== 'number') {
    throw new MalformedEntryError(entryId, 'payload lacks eventId, adId or ts');
  }
  return e as ClickEvent;
}
